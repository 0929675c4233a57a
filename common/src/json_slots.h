// Strict reading of JSON values into typed fields, shared by the decoders of message v1
// (message_decode.cpp) and of state-change events (state_event_decode.cpp): a document's
// known fields go into fixed slots, then are validated in a fixed order, so the reported
// error does not depend on field order. Every refusal is a Poison (message.h) with the same
// reasons in both decoders: what PostgreSQL would refuse (NUL, invalid UTF-8, years outside
// 0001..9999, integers outside a column) is refused here first.
//
// Private to hc_common. Not thread-safe where a parser is passed: one per thread.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/common/message.h"

namespace hc::json_detail {

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

// The position of `name` in `names`, N if absent. `expected` is tried first: a writer that
// emits the fields in the order of `names` (hc's own encoders) makes each lookup one
// comparison when the caller passes the position after the previous field's.
template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name,
                     std::size_t expected = N) {
  if (expected < N && names[expected] == name) return expected;
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return i;
  }
  return N;
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

// The slot of one parsed value (strings point into the parser's buffers).
JsonSlot slot_of(simdjson::dom::element value);

// Parses `json_bytes` with `parser` (which copies them into its own padded buffer; the
// returned object and its strings point into the parser until its next parse). A document
// that is not JSON is bad_json, invalid UTF-8 anywhere is bad_utf8, a root that is not an
// object is wrong_type.
std::variant<simdjson::dom::object, Poison> parse_object(simdjson::dom::parser& parser,
                                                         std::string_view json_bytes);

// Text PostgreSQL can store: parse_object() has checked the UTF-8 of the whole document,
// which leaves NUL (JSON's \u0000), refused by every text column (nul_byte).
std::string_view text_of(SlotReader& reader, const JsonSlot& slot, std::string_view name);

// An integer for a column of [min, max]; reports out_of_range and returns min otherwise.
std::int64_t integer_of(SlotReader& reader, const JsonSlot& slot, std::string_view name,
                        std::int64_t min, std::int64_t max);

// `text` quoted for a detail line: its first 40 bytes, printable ASCII as is, every other
// byte as \xHH (the value may hold any character, and a cut may split one).
std::string quoted_prefix(std::string_view text);

// The document's version `v` (slot already checked to be an integer): nullopt when it is
// `expected`, else a bad_version Poison naming `what` ("message", "event").
std::optional<Poison> check_version(const JsonSlot& slot, int expected, std::string_view what);

// A time PostgreSQL stores as written (years 0001..9999); bad_timestamp otherwise.
std::optional<WallTime> time_of(SlotReader& reader, const JsonSlot& slot, std::string_view name);

// A list of failed condition names (message v1's failed_conditions, an event's
// cause.failed_conditions): at most kMaxFailedConditions strings of at most kMaxConditionBytes,
// each text PostgreSQL can store. REQUIRES: slot is an array.
std::vector<std::string> conditions_of(SlotReader& reader, const JsonSlot& slot,
                                       std::string_view name);

}  // namespace hc::json_detail
