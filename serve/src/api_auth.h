// Who may write through the admin API (sites, silences): a client that sends
//   Authorization: Bearer <healthcheck-serve-config.api_token>
// Reads need no token. Refusals, before anything is read or published:
//   - no token configured: 403, every write, whatever is sent (writes stay off until an
//     operator sets one);
//   - no Authorization header, another scheme, or another token: 401 with
//     WWW-Authenticate: Bearer.
// The token is compared in constant time (its length aside), and neither it nor the header
// is ever logged or echoed.
//
// Thread: any after construction (read-only).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hc/common/http_message.h"

namespace hc::serve {

class WriteGuard {
 public:
  // `api_token`: empty = no token configured.
  explicit WriteGuard(std::string api_token) : api_token_(std::move(api_token)) {}

  // nullopt when `request` may write; else the response that refuses it.
  std::optional<http::Response> refuse(const http::Request& request) const;

 private:
  std::string api_token_;
};

// Equality whose time depends on the lengths only, never on where the bytes first differ.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace hc::serve
