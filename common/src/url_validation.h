// Validation of the site URLs that hc checks, through libcurl's URL parser (the same
// parser that later runs the check), so a URL accepted here is one curl accepts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hc/common/config.h"

namespace hc::config_detail {

// The check type `url`'s scheme selects (http and https: kHttp; case-insensitive); nullopt
// for a URL without a scheme or with another scheme.
std::optional<CheckType> check_type_of_scheme(std::string_view url);

// nullopt if `url` is an absolute http:// or https:// URL with a host; otherwise what is
// wrong with it ("unsupported scheme 'ftp'", "missing scheme", "Bad hostname", ...); the
// caller's message says which schemes it expects.
// Never resolves or contacts the host.
std::optional<std::string> http_url_problem(std::string_view url);

// True if `url` carries a "user[:password]@" part. REQUIRES: !http_url_problem(url).
bool has_userinfo(std::string_view url);

// The host of an http(s) `url`, an IPv6 literal without its brackets; "" when it has none.
std::string url_host(std::string_view url);

// 4 or 6 when `host` is an IPv4 or IPv6 literal (without brackets); nullopt for a name.
std::optional<int> ip_literal_family(std::string_view host);

// nullopt if `url` is a proxy URL hc accepts: http, https, socks5 or socks5h, with a host and
// at most a "/" path; otherwise what is wrong. Never resolves or contacts the host.
std::optional<std::string> proxy_url_problem(std::string_view url);

// `url` with any "user:password@" part replaced by "***@", for error messages.
std::string redact_userinfo(std::string_view url);

}  // namespace hc::config_detail
