// Message v1 decoder on simdjson (bench/common: ~10x faster than nlohmann::json's DOM,
// which cost the consumer ~10 us per message). The known fields are picked into fixed
// slots, then validated in a fixed order, so the reported error does not depend on the
// order of the fields in the message. Beyond types, it refuses what no table can hold
// (PostgreSQL would refuse the row, and every write of its batch with it): NUL in text,
// invalid UTF-8, years outside 0001..9999, integers outside their column or negative
// durations and sizes, a failed_conditions list beyond its bounds (json_slots.h). Each refusal is
// a Poison with its reason (message.h).
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <limits>

#include "hc/common/message.h"
#include "json_slots.h"

namespace hc {
namespace {

using json_detail::conditions_of;
using json_detail::index_of;
using json_detail::integer_of;
using json_detail::JsonSlot;
using json_detail::slot_of;
using json_detail::SlotReader;
using json_detail::text_of;
using json_detail::time_of;

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
  kCheckType,
  kTlsVersion,
  kTlsCipher,
  kChainValid,
  kChainExpiresAt,
  kDnsRcode,
  kDnsAnswers,
  kAddress,
  kLoopLag,
  kRttMin,
  kRttAvg,
  kRttMax,
  kLossPercent,
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
                                                                   "producer",
                                                                   "check_type",
                                                                   "tls_version",
                                                                   "tls_cipher",
                                                                   "chain_valid",
                                                                   "chain_expires_at",
                                                                   "dns_rcode",
                                                                   "dns_answers",
                                                                   "address",
                                                                   "loop_lag_us",
                                                                   "rtt_min_us",
                                                                   "rtt_avg_us",
                                                                   "rtt_max_us",
                                                                   "loss_percent"};

enum Phase : std::size_t { kDns, kConnect, kTls, kTtfb, kPhaseCount };
constexpr std::array<std::string_view, kPhaseCount> kPhaseNames = {"dns", "connect", "tls", "ttfb"};

// The root object's known fields and timings_us's known members, by slot; unknown
// fields are skipped. A repeated field keeps its last value, as nlohmann's DOM did.
struct MessageSlots {
  std::array<JsonSlot, kFieldCount> fields;
  std::array<JsonSlot, kPhaseCount> phases;
};

MessageSlots slots_of(simdjson::dom::object root) {
  MessageSlots slots;
  std::size_t next_field = 0;  // encode_message writes the fields in kFieldNames' order
  for (auto [name, value] : root) {
    const std::size_t field = index_of(kFieldNames, name, next_field);
    if (field == kFieldCount) continue;
    next_field = field + 1;
    slots.fields[field] = slot_of(value);
    simdjson::dom::object timings;
    if (field == kTimings && value.get_object().get(timings) == simdjson::SUCCESS) {
      slots.phases = {};
      std::size_t next_phase = 0;
      for (auto [phase_name, phase_value] : timings) {
        const std::size_t phase = index_of(kPhaseNames, phase_name, next_phase);
        if (phase == kPhaseCount) continue;
        next_phase = phase + 1;
        slots.phases[phase] = slot_of(phase_value);
      }
    }
  }
  return slots;
}

constexpr std::int64_t kBigintMax = std::numeric_limits<std::int64_t>::max();
// attempts = 1 + retries used; the producer allows at most 5 retries. smallint column.
constexpr std::int64_t kMaxAttempts = 100;

std::variant<Measurement, Poison> measurement_from(const MessageSlots& slots) {
  using Kind = JsonSlot::Kind;
  auto& f = slots.fields;
  SlotReader reader;
  Measurement m;
  if (const JsonSlot* v = reader.required(f[kVersion], "v", Kind::kInteger, "an integer")) {
    if (auto poison = json_detail::check_version(*v, kMessageVersion, "message")) return *poison;
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
    m.failed_conditions = conditions_of(reader, *v, "failed_conditions");
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
  if (const JsonSlot* v = reader.optional(f[kCheckType], "check_type", Kind::kString, "a string")) {
    m.check_type = text_of(reader, *v, "check_type");
  }
  if (const JsonSlot* v =
          reader.optional(f[kTlsVersion], "tls_version", Kind::kString, "a string")) {
    m.tls_version = text_of(reader, *v, "tls_version");
  }
  if (const JsonSlot* v = reader.optional(f[kTlsCipher], "tls_cipher", Kind::kString, "a string")) {
    m.tls_cipher = text_of(reader, *v, "tls_cipher");
  }
  if (const JsonSlot* v =
          reader.optional(f[kChainValid], "chain_valid", Kind::kBoolean, "a boolean")) {
    m.chain_valid = v->boolean;
  }
  if (const JsonSlot* v = reader.optional(f[kChainExpiresAt], "chain_expires_at", Kind::kString,
                                          "an RFC 3339 UTC string")) {
    m.chain_expires_at = time_of(reader, *v, "chain_expires_at");
  }
  if (const JsonSlot* v = reader.optional(f[kDnsRcode], "dns_rcode", Kind::kString, "a string")) {
    m.dns_rcode = text_of(reader, *v, "dns_rcode");
  }
  if (const JsonSlot* v =
          reader.optional(f[kDnsAnswers], "dns_answers", Kind::kArray, "an array of strings")) {
    m.dns_answers = conditions_of(reader, *v, "dns_answers");
  }
  if (const JsonSlot* v = reader.optional(f[kAddress], "address", Kind::kString, "a string")) {
    m.address = text_of(reader, *v, "address");
  }
  if (const JsonSlot* v =
          reader.optional(f[kLoopLag], "loop_lag_us", Kind::kInteger, "an integer")) {
    m.loop_lag_us = integer_of(reader, *v, "loop_lag_us", 0, kBigintMax);
  }
  const std::array<std::pair<std::size_t, std::optional<std::int64_t>*>, 3> round_trips = {
      {{kRttMin, &m.rtt_min_us}, {kRttAvg, &m.rtt_avg_us}, {kRttMax, &m.rtt_max_us}}};
  for (const auto& [field, output] : round_trips) {
    if (const JsonSlot* v =
            reader.optional(f[field], kFieldNames[field], Kind::kInteger, "an integer")) {
      *output = integer_of(reader, *v, kFieldNames[field], 0, kBigintMax);
    }
  }
  if (const JsonSlot* v =
          reader.optional(f[kLossPercent], "loss_percent", Kind::kInteger, "an integer")) {
    m.loss_percent = static_cast<int>(integer_of(reader, *v, "loss_percent", 0, 100));
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
  auto parsed = json_detail::parse_object(parser_->dom, json_bytes);
  if (auto* poison = std::get_if<Poison>(&parsed)) return std::move(*poison);
  const simdjson::dom::object object = std::get<simdjson::dom::object>(parsed);
  return measurement_from(slots_of(object));
}

std::variant<Measurement, Poison> decode_message(std::string_view json_bytes) {
  return MessageDecoder().decode(json_bytes);
}

}  // namespace hc
