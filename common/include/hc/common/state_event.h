// State-change event v1: the JSON value a producer publishes to a site's events topic when
// the site's state changes (key = URL bytes, like measurements).
//
//   {"type":"state_change","v":1,"url":"https://example.com/","from":"up","to":"down",
//    "at":"2026-11-25T10:00:03.000000Z",
//    "cause":{"failed_conditions":["status"],"error":"unexpected_status",
//             "error_detail":"HTTP 500","status_code":500},
//    "since":"2026-11-25T09:00:00.000000Z","previous_duration_s":3603,"producer":"host:42"}
//
// `at` is the measured_at of the check that decided the change; `since` the `at` of the
// change that began the `from` state (null when `from` is "unknown"), and previous_duration_s
// the whole seconds from `since` to `at` (null likewise). `cause` describes the deciding
// check when it was unhealthy (every change to "down"), null otherwise.
//
// Forward compatible like message v1: unknown fields are ignored. Anything else that is not
// a valid event (bad JSON, a missing field, a wrong type, an unknown "type" or "v", a
// transition that cannot happen, NUL or invalid UTF-8 in text, a time outside years
// 0001..9999) is a Poison with the reasons of message.h, plus kPoisonBadTransition.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/common/message.h"

namespace hc {

// A site's state as its owning producer sees it.
enum class SiteStatus { kUnknown, kUp, kDown };

// "unknown", "up", "down": the words used in events, metrics and tables.
std::string_view status_name(SiteStatus status);
std::optional<SiteStatus> parse_status(std::string_view name);

// Why a check was unhealthy: the verdict's failed conditions and the error of message v1.
struct StateCause {
  std::vector<std::string> failed_conditions;  // short names, see Measurement
  std::optional<std::string> error;            // error class ("timeout", "unexpected_status"...)
  std::string error_detail;
  std::optional<int> status_code;  // the response's status, if there was one

  bool operator==(const StateCause&) const = default;
};

struct StateEvent {
  std::string url;
  SiteStatus from = SiteStatus::kUnknown;
  SiteStatus to = SiteStatus::kUnknown;
  WallTime at;                      // measured_at of the deciding check
  std::optional<StateCause> cause;  // the deciding check's failure; nullopt when it was healthy
  std::optional<WallTime> since;    // when `from` began; nullopt when from is kUnknown
  std::optional<std::int64_t> previous_duration_s;  // floor((at - since) / 1 s)
  std::string producer;                             // "host:pid"

  bool operator==(const StateEvent&) const = default;
};

inline constexpr int kStateEventVersion = 1;
inline constexpr std::string_view kStateEventType = "state_change";

// `to` is kUnknown, `from` equals `to`, or `since` is later than `at`.
inline constexpr std::string_view kPoisonBadTransition = "bad_transition";

// REQUIRES: event.url non-empty, at and since in years 0001..9999.
std::string encode_state_event(const StateEvent& event);

// Decodes event v1, reusing its parser's buffers from call to call. Not thread-safe.
class StateEventDecoder {
 public:
  StateEventDecoder();
  ~StateEventDecoder();
  StateEventDecoder(StateEventDecoder&&) noexcept;
  StateEventDecoder& operator=(StateEventDecoder&&) noexcept;

  std::variant<StateEvent, Poison> decode(std::string_view json_bytes);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// One-off decode (a fresh decoder per call).
std::variant<StateEvent, Poison> decode_state_event(std::string_view json_bytes);

}  // namespace hc
