#include "url_validation.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace hc::config_detail {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

CurlString get_part(CURLU* handle, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(handle, part, &text, 0) != CURLUE_OK) return nullptr;
  return CurlString(text);
}

}  // namespace

std::optional<CheckType> check_type_of_scheme(std::string_view url) {
  const std::size_t end = url.find("://");
  if (end == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme == "http" || scheme == "https") return CheckType::kHttp;
  if (scheme == "tcp") return CheckType::kTcp;
  if (scheme == "tls") return CheckType::kTls;
  if (scheme == "dns") return CheckType::kDns;
  if (scheme == "icmp") return CheckType::kIcmp;
  return std::nullopt;
}

std::optional<std::string> http_url_problem(std::string_view url) {
  if (url.find("://") == std::string_view::npos) {
    return std::string("missing scheme");
  }
  CurlUrl handle(curl_url());
  if (!handle) return std::string("out of memory while parsing the URL");
  // Without CURLU_NON_SUPPORT_SCHEME, schemes this libcurl does not support are rejected;
  // we then narrow the supported ones down to http and https.
  std::string text(url);
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0);
  if (code == CURLUE_UNSUPPORTED_SCHEME) {
    return "unsupported scheme '" + std::string(url.substr(0, url.find("://"))) + "'";
  }
  if (code != CURLUE_OK) return std::string(curl_url_strerror(code));
  CurlString scheme = get_part(handle.get(), CURLUPART_SCHEME);
  std::string_view scheme_text = scheme ? scheme.get() : "";
  if (scheme_text != "http" && scheme_text != "https") {
    return "unsupported scheme '" + std::string(scheme_text) + "'";
  }
  CurlString host = get_part(handle.get(), CURLUPART_HOST);
  if (!host || *host.get() == '\0') return std::string("no host in the URL");
  return std::nullopt;
}

bool has_userinfo(std::string_view url) {
  CurlUrl handle(curl_url());
  if (!handle) return false;
  std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return false;
  return get_part(handle.get(), CURLUPART_USER) != nullptr ||
         get_part(handle.get(), CURLUPART_PASSWORD) != nullptr;
}

std::optional<std::string> proxy_url_problem(std::string_view url) {
  const std::size_t separator = url.find("://");
  if (separator == std::string_view::npos) return std::string("missing scheme");
  std::string scheme(url.substr(0, separator));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https" && scheme != "socks5" && scheme != "socks5h") {
    return "unsupported proxy scheme '" + scheme + "'";
  }
  CurlUrl handle(curl_url());
  if (!handle) return std::string("out of memory while parsing the URL");
  const std::string text(url);
  const CURLUcode code =
      curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) return std::string(curl_url_strerror(code));
  CurlString host = get_part(handle.get(), CURLUPART_HOST);
  if (!host || *host.get() == '\0') return std::string("no host in the URL");
  CurlString path = get_part(handle.get(), CURLUPART_PATH);
  if (path && std::string_view(path.get()) != "/" && *path.get() != '\0') {
    return std::string("a proxy URL has no path");
  }
  if (get_part(handle.get(), CURLUPART_QUERY) || get_part(handle.get(), CURLUPART_FRAGMENT)) {
    return std::string("a proxy URL has no query or fragment");
  }
  return std::nullopt;
}

std::string url_host(std::string_view url) {
  CurlUrl handle(curl_url());
  if (!handle) return {};
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return {};
  CurlString host = get_part(handle.get(), CURLUPART_HOST);
  if (!host) return {};
  std::string_view name = host.get();
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  return std::string(name);
}

std::optional<int> ip_literal_family(std::string_view host) {
  const std::string text(host);
  in6_addr address{};
  if (inet_pton(AF_INET, text.c_str(), &address) == 1) return 4;
  if (inet_pton(AF_INET6, text.c_str(), &address) == 1) return 6;
  return std::nullopt;
}

std::string redact_userinfo(std::string_view url) {
  std::size_t authority = url.find("://");
  if (authority == std::string_view::npos) return std::string(url);
  authority += 3;
  std::size_t authority_end = url.find_first_of("/?#", authority);
  std::size_t at =
      url.rfind('@', authority_end == std::string_view::npos ? url.size() - 1 : authority_end);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  return std::string(url.substr(0, authority)) + "***" + std::string(url.substr(at));
}

}  // namespace hc::config_detail
