// The runtime silence codec (silence_json.h): one validation for the API's requests and the
// topic's records.
#include "hc/common/silence_json.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "hc/common/duration.h"
#include "hc/common/message.h"
#include "json_nesting.h"

namespace hc {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 6> kRequestKeys = {"url_regex", "starts_at", "ends_at",
                                                          "duration",  "comment",   "created_by"};
constexpr std::array<std::string_view, 7> kRecordKeys = {
    "id", "url_regex", "starts_at", "ends_at", "comment", "created_by", "created_at"};
// A body holds no nesting: deeper input is refused before it is parsed.
constexpr std::size_t kMaxDepth = 4;

std::string format_time(std::chrono::sys_seconds time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", time);
}

class FieldReader {
 public:
  explicit FieldReader(const Json& object) : object_(object) {}

  bool has(std::string_view key) const {
    const auto found = object_.find(std::string(key));
    return found != object_.end() && !found->is_null();
  }
  // The string at `key`, or nullopt (absent: reported when `required`).
  std::optional<std::string> text(std::string_view key, bool required) {
    const auto found = object_.find(std::string(key));
    if (found == object_.end() || found->is_null()) {
      if (required) fail(key, "required");
      return std::nullopt;
    }
    if (!found->is_string()) {
      fail(key, fmt::format("expected a string, got {}", found->type_name()));
      return std::nullopt;
    }
    return found->get<std::string>();
  }
  std::optional<std::chrono::sys_seconds> time(std::string_view key, bool required) {
    auto value = text(key, required);
    if (!value) return std::nullopt;
    if (auto parsed = parse_timestamp(*value)) {
      return std::chrono::time_point_cast<std::chrono::seconds>(*parsed);
    }
    fail(key, "expected an RFC 3339 UTC time such as 2026-12-24T22:00:00Z");
    return std::nullopt;
  }
  std::optional<std::string> note(std::string_view key) {
    auto value = text(key, true);
    if (value && (value->empty() || value->size() > kMaxSilenceTextBytes)) {
      fail(key, fmt::format("expected 1 to {} characters", kMaxSilenceTextBytes));
      return std::nullopt;
    }
    return value;
  }
  std::optional<std::string> pattern(std::string_view key) {
    auto value = text(key, true);
    if (!value) return std::nullopt;
    if (value->empty()) {
      fail(key, "expected an RE2 pattern (\".*\" silences every site)");
      return std::nullopt;
    }
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 compiled(*value, options);
    if (!compiled.ok()) {
      fail(key, "does not compile under RE2: " + compiled.error());
      return std::nullopt;
    }
    return value;
  }
  template <std::size_t N>
  void refuse_unknown_keys(const std::array<std::string_view, N>& allowed) {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(key, "unknown key");
      }
    }
  }
  void fail(std::string_view key, std::string message) {
    errors_.push_back(FieldError{std::string(key), std::move(message)});
  }
  std::vector<FieldError> take_errors() { return std::move(errors_); }

 private:
  const Json& object_;
  std::vector<FieldError> errors_;
};

// The body as a JSON object, or the error that says why not.
std::optional<Json> object_of(std::string_view body, std::vector<FieldError>& errors) {
  if (!json_nesting_within(body, kMaxDepth)) {
    errors.push_back(FieldError{"", "expected a flat JSON object"});
    return std::nullopt;
  }
  Json json = Json::parse(body, nullptr, false);
  if (json.is_discarded()) {
    errors.push_back(FieldError{"", "expected a JSON object: not valid JSON"});
    return std::nullopt;
  }
  if (!json.is_object()) {
    errors.push_back(
        FieldError{"", std::string("expected a JSON object, got ") + json.type_name()});
    return std::nullopt;
  }
  return json;
}

// The fields both readers share; `silence` gets what is valid.
void read_common(FieldReader& fields, RuntimeSilence& silence) {
  silence.url_regex = fields.pattern("url_regex").value_or("");
}

}  // namespace

SilenceParse parse_silence_request(std::string_view body, const std::string& id,
                                   std::chrono::sys_seconds now) {
  SilenceParse result;
  auto json = object_of(body, result.errors);
  if (!json) return result;
  FieldReader fields(*json);
  fields.refuse_unknown_keys(kRequestKeys);
  RuntimeSilence silence;
  silence.id = id;
  silence.created_at = now;
  read_common(fields, silence);
  silence.starts_at = fields.time("starts_at", false).value_or(now);
  const bool ends_given = fields.has("ends_at");
  const bool duration_given = fields.has("duration");
  const auto ends_at = fields.time("ends_at", false);
  const auto duration_text = fields.text("duration", false);
  std::optional<std::chrono::sys_seconds> ends;
  if (ends_given && duration_given) {
    fields.fail("duration", "give ends_at or duration, not both");
  } else if (ends_at) {
    ends = *ends_at;
  } else if (duration_text) {
    if (auto duration = parse_duration(*duration_text)) {
      ends = silence.starts_at + *duration;
    } else {
      fields.fail("duration", "expected a whole number and a unit: 90s, 30m, 2h or 1d");
    }
  } else if (!ends_given && !duration_given) {
    fields.fail("ends_at", "required (or duration): when the silence ends");
  }
  if (ends) {
    const std::string_view field = ends_given ? "ends_at" : "duration";
    if (*ends <= now) {
      fields.fail(field, "the silence would already be over (now is " + format_time(now) + ")");
    } else if (*ends <= silence.starts_at) {
      fields.fail(field, "the silence must end after it starts (starts_at " +
                             format_time(silence.starts_at) + ")");
    }
    silence.ends_at = *ends;
  }
  silence.comment = fields.note("comment").value_or("");
  silence.created_by = fields.note("created_by").value_or("");
  result.errors = fields.take_errors();
  if (result.errors.empty()) result.silence = std::move(silence);
  return result;
}

std::string encode_silence_json(const RuntimeSilence& silence) {
  const Json json = {{"id", silence.id},
                     {"url_regex", silence.url_regex},
                     {"starts_at", format_time(silence.starts_at)},
                     {"ends_at", format_time(silence.ends_at)},
                     {"comment", silence.comment},
                     {"created_by", silence.created_by},
                     {"created_at", format_time(silence.created_at)}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

SilenceParse decode_silence_record(std::string_view key, std::string_view value) {
  SilenceParse result;
  auto json = object_of(value, result.errors);
  if (!json) return result;
  FieldReader fields(*json);
  fields.refuse_unknown_keys(kRecordKeys);
  RuntimeSilence silence;
  if (auto id = fields.text("id", true); id && *id != key) {
    fields.fail("id", "differs from the record's key");
  } else if (id) {
    silence.id = *id;
  }
  read_common(fields, silence);
  const auto starts_at = fields.time("starts_at", true);
  const auto ends_at = fields.time("ends_at", true);
  if (starts_at && ends_at) {
    silence.starts_at = *starts_at;
    silence.ends_at = *ends_at;
    if (*ends_at <= *starts_at) fields.fail("ends_at", "not after starts_at");
  }
  silence.comment = fields.note("comment").value_or("");
  silence.created_by = fields.note("created_by").value_or("");
  silence.created_at = fields.time("created_at", true).value_or(std::chrono::sys_seconds{});
  result.errors = fields.take_errors();
  if (result.errors.empty()) result.silence = std::move(silence);
  return result;
}

NotifySilence to_notify_silence(const RuntimeSilence& silence) {
  NotifySilence converted;
  converted.name = silence.id;
  converted.url_regex = silence.url_regex;
  converted.starts_at = silence.starts_at;
  converted.ends_at = silence.ends_at;
  return converted;
}

}  // namespace hc
