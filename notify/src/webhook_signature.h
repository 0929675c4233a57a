// The signature of a webhook body, so a receiver can tell hc's requests from forged or
// replayed ones:
//
//   X-HC-Timestamp: 1764842400                       (Unix seconds when the request was made)
//   X-HC-Signature: sha256=<hex HMAC-SHA256(secret, "<X-HC-Timestamp>.<body>")>
//
// A receiver recomputes the HMAC over the timestamp header, a '.', and the raw body, compares
// in constant time, and refuses timestamps older than it tolerates (e.g. 5 minutes).
//
// Thread: any (pure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hc::notify {

// "sha256=<64 lowercase hex digits>".
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

}  // namespace hc::notify
