// The classes of failed checks, as written into message v1's "error" field.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace hc::producer {

enum class CheckError {
  kTimeout,           // the whole check exceeded its timeout
  kDns,               // the host name did not resolve
  kConnect,           // TCP connect refused/unreachable, or the connection broke
  kTls,               // handshake or certificate verification failed
  kHttp,              // protocol error, too many redirects, empty reply...
  kBodyTooLarge,      // body exceeded max_body_bytes
  kUnexpectedStatus,  // a response arrived, but its status is not an expected one
  kInternal,          // anything else (a bug or a resource problem on our side)
};
inline constexpr std::size_t kCheckErrorCount = 8;

constexpr std::string_view to_string(CheckError error) {
  constexpr std::array<std::string_view, kCheckErrorCount> kNames = {
      "timeout",           "dns",     "connect", "tls", "http", "body_too_large",
      "unexpected_status", "internal"};
  return kNames[static_cast<std::size_t>(error)];
}

}  // namespace hc::producer
