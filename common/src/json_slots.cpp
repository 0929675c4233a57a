#include "json_slots.h"

#include <fmt/format.h>

namespace hc::json_detail {

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

std::variant<simdjson::dom::object, Poison> parse_object(simdjson::dom::parser& parser,
                                                         std::string_view json_bytes) {
  simdjson::dom::element root;
  if (auto error = parser.parse(json_bytes.data(), json_bytes.size()).get(root);
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
  return object;
}

std::optional<Poison> check_version(const JsonSlot& slot, int expected, std::string_view what) {
  if (!slot.above_int64 && slot.integer == expected) return std::nullopt;
  return Poison{std::string(kPoisonBadVersion),
                slot.above_int64 ? fmt::format("unsupported {} version", what)
                                 : fmt::format("unsupported {} version {}", what, slot.integer)};
}

std::string_view text_of(SlotReader& reader, const JsonSlot& slot, std::string_view name) {
  if (slot.text.find('\0') != std::string_view::npos) {
    reader.fail(
        kPoisonNulByte,
        fmt::format("field '{}' contains a NUL character, which PostgreSQL text cannot hold",
                    name));
  }
  return slot.text;
}

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

std::optional<WallTime> time_of(SlotReader& reader, const JsonSlot& slot, std::string_view name) {
  auto parsed = parse_timestamp(slot.text);
  if (!parsed) {
    reader.fail(kPoisonBadTimestamp,
                fmt::format("field '{}' is not an RFC 3339 UTC time in years 0001..9999: {}", name,
                            quoted_prefix(slot.text)));
  }
  return parsed;
}

std::vector<std::string> conditions_of(SlotReader& reader, const JsonSlot& slot,
                                       std::string_view name) {
  std::vector<std::string> conditions;
  const std::size_t count = slot.array.size();
  if (count > kMaxFailedConditions) {
    reader.fail(kPoisonOutOfRange, fmt::format("field '{}' has {} elements, more than {}", name,
                                               count, kMaxFailedConditions));
    return conditions;
  }
  conditions.reserve(count);
  std::size_t index = 0;
  for (simdjson::dom::element element : slot.array) {
    // Named only for an error: most down checks carry a condition or two, on the hot path.
    const auto element_name = [name, index] { return fmt::format("{}[{}]", name, index); };
    ++index;
    const JsonSlot value = slot_of(element);
    if (value.kind != JsonSlot::Kind::kString) {
      reader.fail(kPoisonWrongType, fmt::format("field '{}' must be a string, got {}",
                                                element_name(), value.type_name()));
      return {};
    }
    if (value.text.size() > kMaxConditionBytes) {
      reader.fail(kPoisonOutOfRange,
                  fmt::format("field '{}' is {} bytes, more than {}", element_name(),
                              value.text.size(), kMaxConditionBytes));
      return {};
    }
    if (value.text.find('\0') != std::string_view::npos) {
      text_of(reader, value, element_name());  // reports the NUL
      return {};
    }
    conditions.emplace_back(value.text);
  }
  return conditions;
}

}  // namespace hc::json_detail
