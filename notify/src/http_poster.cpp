#include "http_poster.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#ifndef HC_VERSION
#define HC_VERSION "0"
#endif

namespace hc::notify {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// The answer's body is not needed; at most this much is kept for the error text.
constexpr std::size_t kKeptAnswerBytes = 200;

std::size_t keep_start(char* data, std::size_t size, std::size_t count, void* answer) {
  auto* text = static_cast<std::string*>(answer);
  const std::size_t bytes = size * count;
  if (text->size() < kKeptAnswerBytes) {
    text->append(data, std::min(bytes, kKeptAnswerBytes - text->size()));
  }
  return bytes;
}

bool is_retryable_status(long status) {
  return status == 408 || status == 425 || status == 429 || status >= 500;
}

std::string printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = ' ';
  }
  return text;
}

}  // namespace

HttpPoster::HttpPoster() : handle_(curl_easy_init()) {
  if (!handle_) throw std::runtime_error("curl_easy_init failed");
}

HttpPoster::~HttpPoster() = default;

SendOutcome HttpPoster::post(const std::string& url, const ChannelRequest& request,
                             std::chrono::milliseconds timeout) {
  CURL* curl = handle_.get();
  curl_easy_reset(curl);
  HeaderList headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) throw std::runtime_error("out of memory (curl_slist_append)");
    static_cast<void>(headers.release());
    headers.reset(appended);
  };
  add_header("Content-Type: application/json");
  add_header("Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : request.headers)
    add_header(std::string(name).append(": ").append(value));
  std::string answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "hc-notify/" HC_VERSION);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_start);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode code = curl_easy_perform(curl);
  SendOutcome outcome;
  if (code != CURLE_OK) {
    outcome.kind = SendOutcome::Kind::kRetry;
    outcome.error = fmt::format("{}: {}", curl_easy_strerror(code),
                                error_buffer[0] != '\0' ? error_buffer.data() : "no detail");
    return outcome;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    outcome.kind = SendOutcome::Kind::kAccepted;
    return outcome;
  }
  outcome.kind =
      is_retryable_status(status) ? SendOutcome::Kind::kRetry : SendOutcome::Kind::kRefused;
  outcome.error = fmt::format("HTTP {}", status);
  if (!answer.empty()) outcome.error += ": " + printable(answer);
  return outcome;
}

}  // namespace hc::notify
