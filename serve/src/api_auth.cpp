#include "api_auth.h"

#include "api_responses.h"

namespace hc::serve {

bool constant_time_equals(std::string_view a, std::string_view b) {
  // Every byte of `b` is looked at whatever `a` holds; the loop has no early exit.
  unsigned difference = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char mine = i < a.size() ? static_cast<unsigned char>(a[i]) : 0U;
    difference |= mine ^ static_cast<unsigned char>(b[i]);
  }
  return difference == 0;
}

std::optional<http::Response> WriteGuard::refuse(const http::Request& request) const {
  if (api_token_.empty()) {
    return error_response(403,
                          "writes are off: set api_token in the healthcheck-serve-config section "
                          "of hc serve's config to allow them");
  }
  const auto header = request.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  bool allowed = false;
  if (header && header->size() > kScheme.size() &&
      http::iequals(header->substr(0, kScheme.size()), kScheme)) {
    allowed = constant_time_equals(header->substr(kScheme.size()), api_token_);
  }
  if (allowed) return std::nullopt;
  http::Response refused =
      error_response(401, header ? "the bearer token is not the configured api_token"
                                 : "writes need an Authorization: Bearer <api_token> header");
  refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hc\"");
  return refused;
}

}  // namespace hc::serve
