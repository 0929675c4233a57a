#include "http_checker.h"

#include <algorithm>
#include <array>
#include <climits>
#include <stdexcept>
#include <string_view>

#include "curl_outcome.h"

namespace hc::producer {
namespace {

// Each idle handle keeps curl's ~16 KB receive buffer: enough for reuse, not a memory sink.
constexpr std::size_t kMaxIdleHandles = 128;
// Resolved names are kept this long (curl's DNS cache is per multi handle, so shared by all
// checks). Without it every check of 10,000 sites would hit the resolver; with it the
// "dns" phase of a cached name is the cache lookup.
constexpr long kDnsCacheSeconds = 60;

bool expected(int status, const std::vector<int>& expected_status) {
  if (expected_status.empty()) return status >= 200 && status < 400;
  return std::find(expected_status.begin(), expected_status.end(), status) != expected_status.end();
}

template <typename Option, typename Value>
void set_option(CURL* easy, Option option, Value value) {
  if (CURLcode code = curl_easy_setopt(easy, option, value); code != CURLE_OK) {
    throw std::runtime_error(std::string("curl_easy_setopt failed: ") + curl_easy_strerror(code));
  }
}

}  // namespace

struct HttpChecker::Transfer {
  CurlEasy easy;
  CurlList headers;
  std::shared_ptr<const CheckRequest> request;
  Completion done;
  std::string body;
  std::int64_t body_bytes = 0;
  bool body_overflow = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};

  // CURLOPT_WRITEFUNCTION: keeps the body up to the cap. Returning less than offered makes
  // curl abort the transfer with CURLE_WRITE_ERROR, which finish() reports as body_too_large.
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto& transfer = *static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    if (transfer.body.size() + bytes > transfer.request->max_body_bytes) {
      transfer.body_overflow = true;
      return 0;
    }
    transfer.body.append(data, bytes);
    transfer.body_bytes += static_cast<std::int64_t>(bytes);
    return bytes;
  }
};

HttpChecker::HttpChecker() {
  // Reference-counted by libcurl; balanced in the destructor.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
}

HttpChecker::~HttpChecker() {
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
  transfers_.clear();
  idle_handles_.clear();
  multi_.reset();
  curl_global_cleanup();
}

void HttpChecker::start(std::shared_ptr<const CheckRequest> request, Completion done) {
  auto transfer = std::make_unique<Transfer>();
  if (!idle_handles_.empty()) {
    transfer->easy = std::move(idle_handles_.back());
    idle_handles_.pop_back();
  } else {
    transfer->easy.reset(curl_easy_init());
    if (!transfer->easy) throw std::runtime_error("curl_easy_init failed");
  }
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  configure(*transfer);
  CURL* easy = transfer->easy.get();
  if (CURLMcode code = curl_multi_add_handle(multi_.get(), easy); code != CURLM_OK) {
    throw std::runtime_error(std::string("curl_multi_add_handle failed: ") +
                             curl_multi_strerror(code));
  }
  transfers_.emplace(easy, std::move(transfer));
}

void HttpChecker::configure(Transfer& transfer) {
  CURL* easy = transfer.easy.get();
  const CheckRequest& request = *transfer.request;
  set_option(easy, CURLOPT_URL, request.url.c_str());
  set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  set_option(easy, CURLOPT_NOSIGNAL, 1L);  // we have threads; timeouts must not use SIGALRM
  set_option(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set_option(easy, CURLOPT_USERAGENT, "hc-healthcheck/0.1");
  set_option(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
  set_option(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set_option(easy, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  set_option(easy, CURLOPT_DNS_CACHE_TIMEOUT, kDnsCacheSeconds);
  // A health check measures what a new visitor gets: a new TCP connection and a full TLS
  // handshake every time. A reused connection (or resumed TLS session) would hide a slow or
  // broken connect/handshake and report ~0 for those phases.
  set_option(easy, CURLOPT_FRESH_CONNECT, 1L);
  set_option(easy, CURLOPT_FORBID_REUSE, 1L);
  set_option(easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);

  if (request.follow_redirects) {
    set_option(easy, CURLOPT_FOLLOWLOCATION, 1L);
    set_option(easy, CURLOPT_MAXREDIRS, static_cast<long>(request.max_redirects));
    set_option(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (request.method == "HEAD") {
    set_option(easy, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST") {
    set_option(easy, CURLOPT_POSTFIELDSIZE, 0L);
    set_option(easy, CURLOPT_POSTFIELDS, "");
  } else if (request.method != "GET") {
    set_option(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.headers.empty()) {
    curl_slist* list = nullptr;
    for (const auto& [name, value] : request.headers) {
      curl_slist* extended = curl_slist_append(list, (name + ": " + value).c_str());
      if (extended == nullptr) {
        curl_slist_free_all(list);
        throw std::runtime_error("curl_slist_append failed");
      }
      list = extended;
    }
    transfer.headers.reset(list);
    set_option(easy, CURLOPT_HTTPHEADER, transfer.headers.get());
  }
  if (std::string_view(request.url).starts_with("https:")) {
    set_option(easy, CURLOPT_CERTINFO, 1L);
    if (!request.ca_file.empty()) set_option(easy, CURLOPT_CAINFO, request.ca_file.c_str());
  }
}

std::size_t HttpChecker::run_once(std::chrono::milliseconds max_wait) {
  int running = 0;
  curl_multi_perform(multi_.get(), &running);
  if (std::size_t completed = deliver_completions(); completed > 0) return completed;
  const auto wait_ms = std::clamp<std::chrono::milliseconds::rep>(max_wait.count(), 0, INT_MAX);
  curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(wait_ms), nullptr);
  curl_multi_perform(multi_.get(), &running);
  return deliver_completions();
}

void HttpChecker::wakeup() { curl_multi_wakeup(multi_.get()); }

std::size_t HttpChecker::deliver_completions() {
  std::size_t completed = 0;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    auto node = transfers_.extract(easy);
    curl_multi_remove_handle(multi_.get(), easy);
    if (node.empty()) continue;
    Transfer& transfer = *node.mapped();
    CheckResult result = finish(transfer, code);
    Completion done = std::move(transfer.done);
    curl_easy_reset(easy);
    if (idle_handles_.size() < kMaxIdleHandles) idle_handles_.push_back(std::move(transfer.easy));
    ++completed;
    done(std::move(result));
  }
  return completed;
}

CheckResult HttpChecker::finish(Transfer& transfer, CURLcode code) {
  CURL* easy = transfer.easy.get();
  CheckResult result;
  auto info_time = [easy](CURLINFO what) {
    curl_off_t value = 0;
    curl_easy_getinfo(easy, what, &value);
    return static_cast<std::int64_t>(value);
  };
  const std::int64_t dns = info_time(CURLINFO_NAMELOOKUP_TIME_T);
  const std::int64_t connect = info_time(CURLINFO_CONNECT_TIME_T);
  const std::int64_t tls = info_time(CURLINFO_APPCONNECT_TIME_T);
  const std::int64_t ttfb = info_time(CURLINFO_STARTTRANSFER_TIME_T);
  result.response_time_us = info_time(CURLINFO_TOTAL_TIME_T);
  // curl reports 0 for a phase it never reached.
  if (dns > 0 || connect > 0) result.timings.dns_us = dns;
  if (connect > 0) result.timings.connect_us = connect;
  if (tls > 0) result.timings.tls_us = tls;
  if (ttfb > 0) result.timings.ttfb_us = ttfb;

  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) result.status_code = static_cast<int>(status);

  curl_certinfo* certinfo = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &certinfo) == CURLE_OK) {
    result.cert_expires_at = server_cert_expiry(certinfo);
  }

  result.body_bytes = transfer.body_bytes;
  result.body = std::move(transfer.body);
  if (code != CURLE_OK) {
    result.error = classify_curl_error(code, transfer.body_overflow);
    if (result.error == CheckError::kBodyTooLarge) {
      result.error_detail =
          "body exceeds " + std::to_string(transfer.request->max_body_bytes) + " bytes";
    } else {
      result.error_detail = transfer.error_buffer[0] != '\0' ? transfer.error_buffer.data()
                                                             : curl_easy_strerror(code);
    }
  } else if (!result.status_code ||
             !expected(*result.status_code, transfer.request->expected_status)) {
    result.error = CheckError::kUnexpectedStatus;
    result.error_detail = "HTTP " + std::to_string(status);
  }
  return result;
}

}  // namespace hc::producer
