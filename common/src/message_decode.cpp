// Message v1 decoder on simdjson (bench/common: ~10x faster than nlohmann::json's DOM,
// which cost the consumer ~10 us per message). The known fields are picked into fixed
// slots, then validated in a fixed order, so the reported error does not depend on the
// order of the fields in the message. Beyond types, it refuses what no table can hold
// (PostgreSQL would refuse the row, and every write of its batch with it): NUL in text,
// invalid UTF-8, years outside 0001..9999, integers outside their column or negative
// durations and sizes, a failed_conditions list beyond its bounds. Each refusal is a Poison with
// its reason (message.h).
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <limits>

#include "hc/common/message.h"

namespace hc {
namespace {

// One JSON value as the SAX parser reported it: enough to validate a field.
struct JsonSlot {
  enum class Kind { kAbsent, kNull, kBoolean, kInteger, kFloat, kString, kObject, kArray };
  Kind kind = Kind::kAbsent;
  bool boolean = false;
  std::int64_t integer = 0;
  bool above_int64 = false;    // an integer beyond INT64_MAX (integer is then meaningless)
  std::string_view text;       // into the parser's buffers
  simdjson::dom::array array;  // the elements of an array (into the parser's buffers)

  // nlohmann's type_name() of the same value, for error details.
  const char* type_name() const {
    switch (kind) {
      case Kind::kNull:
        return "null";
      case Kind::kBoolean:
        return "boolean";
      case Kind::kInteger:
      case Kind::kFloat:
        return "number";
      case Kind::kString:
        return "string";
      case Kind::kObject:
        return "object";
      case Kind::kArray:
        return "array";
      case Kind::kAbsent:
        break;
    }
    return "absent";
  }
  bool absent_or_null() const { return kind == Kind::kAbsent || kind == Kind::kNull; }
};

enum Field : std::size_t {
  kVersion,
  kUrl,
  kUrlDigest,
  kMeasuredAt,
  kStatusCode,
  kResponseTime,
  kTimings,
  kError,
  kErrorDetail,
  kRegex,
  kRegexMatch,
  kHealthy,
  kFailedConditions,
  kBodyBytes,
  kBodyTruncated,
  kAttempts,
  kCertExpiresAt,
  kProducer,
  kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {"v",
                                                                   "url",
                                                                   "url_digest",
                                                                   "measured_at",
                                                                   "status_code",
                                                                   "response_time_us",
                                                                   "timings_us",
                                                                   "error",
                                                                   "error_detail",
                                                                   "regex",
                                                                   "regex_match",
                                                                   "healthy",
                                                                   "failed_conditions",
                                                                   "body_bytes",
                                                                   "body_truncated",
                                                                   "attempts",
                                                                   "cert_expires_at",
                                                                   "producer"};

enum Phase : std::size_t { kDns, kConnect, kTls, kTtfb, kPhaseCount };
constexpr std::array<std::string_view, kPhaseCount> kPhaseNames = {"dns", "connect", "tls", "ttfb"};

template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return i;
  }
  return N;
}

// The root object's known fields and timings_us's known members, by slot; unknown
// fields are skipped. A repeated field keeps its last value, as nlohmann's DOM did.
struct MessageSlots {
  std::array<JsonSlot, kFieldCount> fields;
  std::array<JsonSlot, kPhaseCount> phases;
};

JsonSlot slot_of(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  JsonSlot slot;
  switch (value.type()) {
    case element_type::NULL_VALUE:
      slot.kind = JsonSlot::Kind::kNull;
      break;
    case element_type::BOOL:
      slot.kind = JsonSlot::Kind::kBoolean;
      slot.boolean = value.get_bool().value_unsafe();
      break;
    case element_type::INT64:
      slot.kind = JsonSlot::Kind::kInteger;
      slot.integer = value.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      // simdjson reports only integers above INT64_MAX as UINT64: no bigint holds them.
      slot.kind = JsonSlot::Kind::kInteger;
      slot.above_int64 = true;
      break;
    case element_type::DOUBLE:
      slot.kind = JsonSlot::Kind::kFloat;
      break;
    case element_type::STRING:
      slot.kind = JsonSlot::Kind::kString;
      slot.text = value.get_string().value_unsafe();
      break;
    case element_type::OBJECT:
      slot.kind = JsonSlot::Kind::kObject;
      break;
    case element_type::ARRAY:
      slot.kind = JsonSlot::Kind::kArray;
      slot.array = value.get_array().value_unsafe();
      break;
  }
  return slot;
}

MessageSlots slots_of(simdjson::dom::object root) {
  MessageSlots slots;
  for (auto [name, value] : root) {
    const std::size_t field = index_of(kFieldNames, name);
    if (field == kFieldCount) continue;
    slots.fields[field] = slot_of(value);
    simdjson::dom::object timings;
    if (field == kTimings && value.get_object().get(timings) == simdjson::SUCCESS) {
      slots.phases = {};
      for (auto [phase_name, phase_value] : timings) {
        const std::size_t phase = index_of(kPhaseNames, phase_name);
        if (phase < kPhaseCount) slots.phases[phase] = slot_of(phase_value);
      }
    }
  }
  return slots;
}

// Validates slots in a fixed order; keeps the first error, naming the field and the
// expected type.
class SlotReader {
 public:
  const std::optional<Poison>& error() const { return error_; }

  // Required field of `kind`; records an error and returns nullptr if absent or wrong.
  const JsonSlot* required(const JsonSlot& slot, std::string_view name, JsonSlot::Kind kind,
                           const char* kind_name) {
    if (slot.kind == JsonSlot::Kind::kAbsent) {
      fail(kPoisonMissingField, fmt::format("required field '{}' is missing", name));
      return nullptr;
    }
    return typed(slot, name, kind, kind_name, /*nullable=*/false);
  }
  // Field that may be absent or null; nullptr for both.
  const JsonSlot* optional(const JsonSlot& slot, std::string_view name, JsonSlot::Kind kind,
                           const char* kind_name) {
    if (slot.absent_or_null()) return nullptr;
    return typed(slot, name, kind, kind_name, /*nullable=*/true);
  }

  void fail(std::string_view reason, std::string detail) {
    if (!error_) error_ = Poison{std::string(reason), std::move(detail)};
  }

 private:
  const JsonSlot* typed(const JsonSlot& slot, std::string_view name, JsonSlot::Kind kind,
                        const char* kind_name, bool nullable) {
    if (slot.kind != kind) {
      fail(kPoisonWrongType, fmt::format("field '{}' must be {}{}, got {}", name, kind_name,
                                         nullable ? " or null" : "", slot.type_name()));
      return nullptr;
    }
    return &slot;
  }

  std::optional<Poison> error_;
};

// Text PostgreSQL can store: simdjson has checked the UTF-8 of the whole document, which
// leaves NUL (JSON's \u0000), refused by every text column.
std::string_view text_of(SlotReader& reader, const JsonSlot& slot, std::string_view name) {
  if (slot.text.find('\0') != std::string_view::npos) {
    reader.fail(
        kPoisonNulByte,
        fmt::format("field '{}' contains a NUL character, which PostgreSQL text cannot hold",
                    name));
  }
  return slot.text;
}

// An integer for a column of [min, max]; reports out_of_range and returns min otherwise.
std::int64_t integer_of(SlotReader& reader, const JsonSlot& slot, std::string_view name,
                        std::int64_t min, std::int64_t max) {
  if (slot.above_int64 || slot.integer < min || slot.integer > max) {
    reader.fail(kPoisonOutOfRange, slot.above_int64
                                       ? fmt::format("field '{}' is above {}", name, max)
                                       : fmt::format("field '{}' is {}, outside {}..{}", name,
                                                     slot.integer, min, max));
    return min;
  }
  return slot.integer;
}

// `text` quoted for a detail line: its first 40 bytes, printable ASCII as is, every other
// byte as \xHH (the value may hold any character, and a cut may split one).
std::string quoted_prefix(std::string_view text) {
  constexpr std::size_t kMaxBytes = 40;
  std::string out = "\"";
  for (char c : text.substr(0, kMaxBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\') {
      out.push_back(c);
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
  }
  out += text.size() > kMaxBytes ? "\"..." : "\"";
  return out;
}

// A time PostgreSQL stores as written (years 0001..9999).
std::optional<WallTime> time_of(SlotReader& reader, const JsonSlot& slot, std::string_view name) {
  auto parsed = parse_timestamp(slot.text);
  if (!parsed) {
    reader.fail(kPoisonBadTimestamp,
                fmt::format("field '{}' is not an RFC 3339 UTC time in years 0001..9999: {}", name,
                            quoted_prefix(slot.text)));
  }
  return parsed;
}

constexpr std::int64_t kBigintMax = std::numeric_limits<std::int64_t>::max();
// attempts = 1 + retries used; the producer allows at most 5 retries. smallint column.
constexpr std::int64_t kMaxAttempts = 100;

// failed_conditions: an array of strings, each text PostgreSQL can store, within the bounds.
std::vector<std::string> conditions_of(SlotReader& reader, const JsonSlot& slot) {
  std::vector<std::string> conditions;
  const std::size_t count = slot.array.size();
  if (count > kMaxFailedConditions) {
    reader.fail(kPoisonOutOfRange,
                fmt::format("field 'failed_conditions' has {} elements, more than {}", count,
                            kMaxFailedConditions));
    return conditions;
  }
  conditions.reserve(count);
  std::size_t index = 0;
  for (simdjson::dom::element element : slot.array) {
    // Named only for an error: most down checks carry a condition or two, on the hot path.
    const auto name = [index] { return fmt::format("failed_conditions[{}]", index); };
    ++index;
    const JsonSlot value = slot_of(element);
    if (value.kind != JsonSlot::Kind::kString) {
      reader.fail(kPoisonWrongType,
                  fmt::format("field '{}' must be a string, got {}", name(), value.type_name()));
      return {};
    }
    if (value.text.size() > kMaxConditionBytes) {
      reader.fail(kPoisonOutOfRange, fmt::format("field '{}' is {} bytes, more than {}", name(),
                                                 value.text.size(), kMaxConditionBytes));
      return {};
    }
    if (value.text.find('\0') != std::string_view::npos) {
      text_of(reader, value, name());  // reports the NUL
      return {};
    }
    conditions.emplace_back(value.text);
  }
  return conditions;
}

std::variant<Measurement, Poison> measurement_from(const MessageSlots& slots) {
  using Kind = JsonSlot::Kind;
  auto& f = slots.fields;
  SlotReader reader;
  Measurement m;
  if (const JsonSlot* v = reader.required(f[kVersion], "v", Kind::kInteger, "an integer")) {
    if (v->above_int64 || v->integer != kMessageVersion) {
      return Poison{std::string(kPoisonBadVersion),
                    v->above_int64 ? "unsupported message version"
                                   : fmt::format("unsupported message version {}", v->integer)};
    }
  }
  if (const JsonSlot* v = reader.required(f[kUrl], "url", Kind::kString, "a string")) {
    m.url = text_of(reader, *v, "url");
  }
  if (reader.required(f[kUrlDigest], "url_digest", Kind::kString, "a string")) {
    m.url_digest = f[kUrlDigest].text;
    const bool hex64 = m.url_digest.size() == 64 &&
                       std::all_of(m.url_digest.begin(), m.url_digest.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                       });
    if (!hex64) reader.fail(kPoisonWrongType, "field 'url_digest' must be 64 lowercase hex digits");
  }
  if (const JsonSlot* v =
          reader.required(f[kMeasuredAt], "measured_at", Kind::kString, "an RFC 3339 UTC string")) {
    if (auto parsed = time_of(reader, *v, "measured_at")) m.measured_at = *parsed;
  }
  if (const JsonSlot* v =
          reader.optional(f[kStatusCode], "status_code", Kind::kInteger, "an integer")) {
    // An HTTP status has three digits; the column is an int.
    m.status_code = static_cast<int>(integer_of(reader, *v, "status_code", 0, 999));
  }
  if (const JsonSlot* v =
          reader.required(f[kResponseTime], "response_time_us", Kind::kInteger, "an integer")) {
    m.response_time_us = integer_of(reader, *v, "response_time_us", 0, kBigintMax);
  }
  if (reader.optional(f[kTimings], "timings_us", Kind::kObject, "an object")) {
    SlotReader timings;
    std::array<std::optional<std::int64_t>*, kPhaseCount> outputs = {
        &m.timings.dns_us, &m.timings.connect_us, &m.timings.tls_us, &m.timings.ttfb_us};
    for (std::size_t p = 0; p < kPhaseCount; ++p) {
      if (const JsonSlot* t =
              timings.optional(slots.phases[p], kPhaseNames[p], Kind::kInteger, "an integer")) {
        *outputs[p] = integer_of(timings, *t, kPhaseNames[p], 0, kBigintMax);
      }
    }
    if (timings.error()) {
      reader.fail(timings.error()->reason, "timings_us." + timings.error()->detail);
    }
  }
  if (const JsonSlot* v = reader.optional(f[kError], "error", Kind::kString, "a string")) {
    m.error = text_of(reader, *v, "error");
  }
  if (const JsonSlot* v =
          reader.optional(f[kErrorDetail], "error_detail", Kind::kString, "a string")) {
    m.error_detail = text_of(reader, *v, "error_detail");
  }
  if (const JsonSlot* v = reader.optional(f[kRegex], "regex", Kind::kString, "a string")) {
    m.regex = text_of(reader, *v, "regex");
  }
  if (const JsonSlot* v =
          reader.optional(f[kRegexMatch], "regex_match", Kind::kBoolean, "a boolean")) {
    m.regex_match = v->boolean;
  }
  if (const JsonSlot* v = reader.optional(f[kHealthy], "healthy", Kind::kBoolean, "a boolean")) {
    m.healthy = v->boolean;
  }
  if (const JsonSlot* v = reader.optional(f[kFailedConditions], "failed_conditions", Kind::kArray,
                                          "an array of strings")) {
    m.failed_conditions = conditions_of(reader, *v);
  }
  if (const JsonSlot* v =
          reader.optional(f[kBodyBytes], "body_bytes", Kind::kInteger, "an integer")) {
    m.body_bytes = integer_of(reader, *v, "body_bytes", 0, kBigintMax);
  }
  if (const JsonSlot* v =
          reader.optional(f[kBodyTruncated], "body_truncated", Kind::kBoolean, "a boolean")) {
    m.body_truncated = v->boolean;
  }
  if (const JsonSlot* v = reader.optional(f[kAttempts], "attempts", Kind::kInteger, "an integer")) {
    m.attempts = static_cast<int>(integer_of(reader, *v, "attempts", 1, kMaxAttempts));
  }
  if (const JsonSlot* v = reader.optional(f[kCertExpiresAt], "cert_expires_at", Kind::kString,
                                          "an RFC 3339 UTC string")) {
    m.cert_expires_at = time_of(reader, *v, "cert_expires_at");
  }
  if (const JsonSlot* v = reader.optional(f[kProducer], "producer", Kind::kString, "a string")) {
    m.producer = text_of(reader, *v, "producer");
  }
  if (reader.error()) return *reader.error();
  return m;
}

}  // namespace

struct MessageDecoder::Parser {
  simdjson::dom::parser dom;
};

MessageDecoder::MessageDecoder() : parser_(std::make_unique<Parser>()) {}
MessageDecoder::~MessageDecoder() = default;
MessageDecoder::MessageDecoder(MessageDecoder&&) noexcept = default;
MessageDecoder& MessageDecoder::operator=(MessageDecoder&&) noexcept = default;

std::variant<Measurement, Poison> MessageDecoder::decode(std::string_view json_bytes) {
  // parse() copies the bytes into the parser's own padded buffer (simdjson reads past
  // the end in blocks); the strings it returns point into that parser.
  simdjson::dom::element root;
  if (auto error = parser_->dom.parse(json_bytes.data(), json_bytes.size()).get(root);
      error != simdjson::SUCCESS) {
    if (error == simdjson::UTF8_ERROR) {
      return Poison{std::string(kPoisonBadUtf8),
                    "value is not valid UTF-8 (PostgreSQL text cannot hold it)"};
    }
    return Poison{std::string(kPoisonBadJson),
                  fmt::format("value is not valid JSON: {}", simdjson::error_message(error))};
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Poison{std::string(kPoisonWrongType),
                  fmt::format("value must be a JSON object, got {}", slot_of(root).type_name())};
  }
  return measurement_from(slots_of(object));
}

std::variant<Measurement, Poison> decode_message(std::string_view json_bytes) {
  return MessageDecoder().decode(json_bytes);
}

}  // namespace hc
