// State-change event v1 decoder: the slots and checks of the message v1 decoder
// (json_slots.h), so both refuse the same bytes for the same reasons.
#include <fmt/format.h>
#include <simdjson.h>

#include <array>
#include <limits>

#include "hc/common/state_event.h"
#include "json_slots.h"

namespace hc {
namespace {

using json_detail::index_of;
using json_detail::integer_of;
using json_detail::JsonSlot;
using json_detail::slot_of;
using json_detail::SlotReader;
using json_detail::text_of;
using json_detail::time_of;
using Kind = JsonSlot::Kind;

enum Field : std::size_t {
  kType,
  kVersion,
  kUrl,
  kFrom,
  kTo,
  kAt,
  kCause,
  kSince,
  kPreviousDuration,
  kProducer,
  kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "type", "v", "url", "from", "to", "at", "cause", "since", "previous_duration_s", "producer"};

enum CauseField : std::size_t {
  kFailedConditions,
  kError,
  kErrorDetail,
  kStatusCode,
  kCauseFieldCount
};
constexpr std::array<std::string_view, kCauseFieldCount> kCauseFieldNames = {
    "failed_conditions", "error", "error_detail", "status_code"};

constexpr std::int64_t kBigintMax = std::numeric_limits<std::int64_t>::max();

struct EventSlots {
  std::array<JsonSlot, kFieldCount> fields;
  std::array<JsonSlot, kCauseFieldCount> cause;
};

EventSlots slots_of(simdjson::dom::object root) {
  EventSlots slots;
  for (auto [name, value] : root) {
    const std::size_t field = index_of(kFieldNames, name);
    if (field == kFieldCount) continue;
    slots.fields[field] = slot_of(value);
    simdjson::dom::object cause;
    if (field != kCause || value.get_object().get(cause) != simdjson::SUCCESS) continue;
    slots.cause = {};
    for (auto [cause_name, cause_value] : cause) {
      const std::size_t member = index_of(kCauseFieldNames, cause_name);
      if (member < kCauseFieldCount) slots.cause[member] = slot_of(cause_value);
    }
  }
  return slots;
}

// A state word; `allow_unknown` is false for "to".
SiteStatus status_of(SlotReader& reader, const JsonSlot& slot, std::string_view name,
                     bool allow_unknown) {
  const std::optional<SiteStatus> status = parse_status(slot.text);
  if (!status || (!allow_unknown && *status == SiteStatus::kUnknown)) {
    reader.fail(kPoisonBadTransition, fmt::format("field '{}' must be {}, got {}", name,
                                                  allow_unknown ? "\"unknown\", \"up\" or \"down\""
                                                                : "\"up\" or \"down\"",
                                                  json_detail::quoted_prefix(slot.text)));
    return SiteStatus::kUnknown;
  }
  return *status;
}

StateCause cause_from(SlotReader& reader, const EventSlots& slots) {
  const auto& c = slots.cause;
  StateCause cause;
  if (const JsonSlot* v = reader.required(c[kFailedConditions], "cause.failed_conditions",
                                          Kind::kArray, "an array of strings")) {
    cause.failed_conditions = json_detail::conditions_of(reader, *v, "cause.failed_conditions");
  }
  if (const JsonSlot* v = reader.optional(c[kError], "cause.error", Kind::kString, "a string")) {
    cause.error = text_of(reader, *v, "cause.error");
  }
  if (const JsonSlot* v =
          reader.optional(c[kErrorDetail], "cause.error_detail", Kind::kString, "a string")) {
    cause.error_detail = text_of(reader, *v, "cause.error_detail");
  }
  if (const JsonSlot* v =
          reader.optional(c[kStatusCode], "cause.status_code", Kind::kInteger, "an integer")) {
    cause.status_code = static_cast<int>(integer_of(reader, *v, "cause.status_code", 0, 999));
  }
  return cause;
}

std::variant<StateEvent, Poison> event_from(const EventSlots& slots) {
  const auto& f = slots.fields;
  SlotReader reader;
  StateEvent event;
  if (const JsonSlot* v = reader.required(f[kType], "type", Kind::kString, "a string")) {
    if (v->text != kStateEventType) {
      return Poison{std::string(kPoisonWrongType),
                    fmt::format("field 'type' must be \"{}\", got {}", kStateEventType,
                                json_detail::quoted_prefix(v->text))};
    }
  }
  if (const JsonSlot* v = reader.required(f[kVersion], "v", Kind::kInteger, "an integer")) {
    if (auto poison = json_detail::check_version(*v, kStateEventVersion, "event")) return *poison;
  }
  if (const JsonSlot* v = reader.required(f[kUrl], "url", Kind::kString, "a string")) {
    event.url = text_of(reader, *v, "url");
    if (event.url.empty()) reader.fail(kPoisonWrongType, "field 'url' must not be empty");
  }
  if (const JsonSlot* v = reader.required(f[kFrom], "from", Kind::kString, "a string")) {
    event.from = status_of(reader, *v, "from", /*allow_unknown=*/true);
  }
  if (const JsonSlot* v = reader.required(f[kTo], "to", Kind::kString, "a string")) {
    event.to = status_of(reader, *v, "to", /*allow_unknown=*/false);
  }
  if (const JsonSlot* v = reader.required(f[kAt], "at", Kind::kString, "an RFC 3339 UTC string")) {
    if (auto parsed = time_of(reader, *v, "at")) event.at = *parsed;
  }
  if (reader.optional(f[kCause], "cause", Kind::kObject, "an object")) {
    event.cause = cause_from(reader, slots);
  }
  if (const JsonSlot* v =
          reader.optional(f[kSince], "since", Kind::kString, "an RFC 3339 UTC string")) {
    event.since = time_of(reader, *v, "since");
  }
  if (const JsonSlot* v = reader.optional(f[kPreviousDuration], "previous_duration_s",
                                          Kind::kInteger, "an integer")) {
    event.previous_duration_s = integer_of(reader, *v, "previous_duration_s", 0, kBigintMax);
  }
  if (const JsonSlot* v = reader.optional(f[kProducer], "producer", Kind::kString, "a string")) {
    event.producer = text_of(reader, *v, "producer");
  }
  if (reader.error()) return *reader.error();
  if (event.from == event.to) {
    return Poison{std::string(kPoisonBadTransition),
                  fmt::format("'from' and 'to' are both \"{}\"", status_name(event.to))};
  }
  if (event.since && *event.since > event.at) {
    return Poison{std::string(kPoisonBadTransition), "field 'since' is later than 'at'"};
  }
  return event;
}

}  // namespace

struct StateEventDecoder::Parser {
  simdjson::dom::parser dom;
};

StateEventDecoder::StateEventDecoder() : parser_(std::make_unique<Parser>()) {}
StateEventDecoder::~StateEventDecoder() = default;
StateEventDecoder::StateEventDecoder(StateEventDecoder&&) noexcept = default;
StateEventDecoder& StateEventDecoder::operator=(StateEventDecoder&&) noexcept = default;

std::variant<StateEvent, Poison> StateEventDecoder::decode(std::string_view json_bytes) {
  auto parsed = json_detail::parse_object(parser_->dom, json_bytes);
  if (auto* poison = std::get_if<Poison>(&parsed)) return std::move(*poison);
  return event_from(slots_of(std::get<simdjson::dom::object>(parsed)));
}

std::variant<StateEvent, Poison> decode_state_event(std::string_view json_bytes) {
  return StateEventDecoder().decode(json_bytes);
}

}  // namespace hc
