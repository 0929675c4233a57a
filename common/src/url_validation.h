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

// `url` with any "user:password@" part replaced by "***@", for error messages.
std::string redact_userinfo(std::string_view url);

}  // namespace hc::config_detail
