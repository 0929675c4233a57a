// The classes of failed checks, as written into message v1's "error" field: what went wrong in
// the transport, plus kUnexpectedStatus, which the verdict sets for a status outside
// expected_status (check_verdict.h).
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
  kUnexpectedStatus,  // a response arrived, but its status is not an expected one
  kInternal,          // anything else (a bug or a resource problem on our side)
};
inline constexpr std::size_t kCheckErrorCount = 7;

constexpr std::string_view to_string(CheckError error) {
  constexpr std::array<std::string_view, kCheckErrorCount> kNames = {
      "timeout", "dns", "connect", "tls", "http", "unexpected_status", "internal"};
  return kNames[static_cast<std::size_t>(error)];
}

// How metrics and the log line count a finished check: [0] up, [1 + CheckError] by error
// class, [kOutcomeUnhealthy] a response that failed a condition other than its status.
inline constexpr std::size_t kOutcomeCount = kCheckErrorCount + 2;
inline constexpr std::size_t kOutcomeUnhealthy = kCheckErrorCount + 1;
constexpr std::size_t outcome_of(CheckError error) { return 1 + static_cast<std::size_t>(error); }
constexpr std::string_view outcome_name(std::size_t outcome) {
  if (outcome == 0) return "up";
  if (outcome == kOutcomeUnhealthy) return "unhealthy";
  return to_string(static_cast<CheckError>(outcome - 1));
}

}  // namespace hc::producer
