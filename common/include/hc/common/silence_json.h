// Silences added at runtime: the request body of POST /api/v1/silences (`hc serve`) and the
// records of the silences topic (NotifyConfig::silences_topic) that `hc notify` follows.
// One record per silence: key = its id, value = encode_silence_json(); a tombstone ends it.
//
//   request: {"url_regex": RE2 (required), "starts_at": RFC 3339 (default: now),
//             "ends_at": RFC 3339 | "duration": "90m", "2h", "1d" (exactly one of the two),
//             "comment": text (required), "created_by": text (required)}
//   record:  {"id", "url_regex", "starts_at", "ends_at", "comment", "created_by",
//             "created_at"}, times as "2026-12-24T22:00:00Z"
//
// Thread: any; pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/notify_config.h"

namespace hc {

struct RuntimeSilence {
  std::string id;         // [0-9a-f]{32}, chosen by hc serve
  std::string url_regex;  // RE2 that compiles, searched in the event's URL
  std::chrono::sys_seconds starts_at{};
  std::chrono::sys_seconds ends_at{};  // after starts_at
  std::string comment;                 // 1 .. kMaxSilenceTextBytes
  std::string created_by;              // 1 .. kMaxSilenceTextBytes
  std::chrono::sys_seconds created_at{};
  bool operator==(const RuntimeSilence&) const = default;
};

inline constexpr std::size_t kMaxSilenceTextBytes = 1024;

// A problem with one field of a body or record: `field` is its key ("" for the whole body).
struct FieldError {
  std::string field;
  std::string message;
};

struct SilenceParse {
  std::optional<RuntimeSilence> silence;  // set if and only if errors is empty
  std::vector<FieldError> errors;         // every problem found, in the order of the keys above
};

// A POST body, as silence `id` created at `now`. Refused (each with its field): not a JSON
// object; an unknown key; a missing url_regex, comment or created_by; a regex RE2 refuses; a
// time that is not RFC 3339; both or neither of ends_at and duration; ends_at not after
// starts_at; ends_at not after `now` (the silence would already be over).
SilenceParse parse_silence_request(std::string_view body, const std::string& id,
                                   std::chrono::sys_seconds now);

// The record's value (the JSON object above, one line).
std::string encode_silence_json(const RuntimeSilence& silence);

// A record of the silences topic read back: the same checks as a request, except the clock
// (an ended silence decodes), and "id" must equal `key`.
SilenceParse decode_silence_record(std::string_view key, std::string_view value);

// As a config silence (name = the id), so `hc notify` applies both alike.
NotifySilence to_notify_silence(const RuntimeSilence& silence);

}  // namespace hc
