// Turns one Kafka record into a row (a Measurement or an EventRow, by its route's kind) or a
// poison verdict.
//
// No state of its own: called from the consumer loop thread (and its decode helpers)
// for every record; each thread brings its own MessageDecoder (or StateEventDecoder) and
// UrlDigester.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/common/state_event.h"
#include "hc/common/url_digest.h"
#include "hc/store/row.h"

namespace hc::consumer {

// Why a record cannot be written: hc::Poison (message.h). Besides the message decoder's
// kinds, this decoder reports these, and nul_byte / bad_utf8 for a key PostgreSQL could
// not hold either.
inline constexpr std::string_view kPoisonTooLarge = "too_large";
inline constexpr std::string_view kPoisonEmptyValue = "empty_value";
inline constexpr std::string_view kPoisonKeyMismatch = "key_mismatch";
inline constexpr std::string_view kPoisonDigestMismatch = "digest_mismatch";
// A valid record of the other kind: a state-change event on a measurements route, or a
// measurement on an events route.
inline constexpr std::string_view kPoisonWrongKind = "wrong_kind";

struct RecordView {
  const void* key = nullptr;  // may be null (record without key)
  std::size_t key_bytes = 0;
  const void* value = nullptr;  // may be null (tombstone)
  std::size_t value_bytes = 0;
  RouteKind kind = RouteKind::kMeasurements;  // what the record's topic carries
};

// Accepts a record only if: the value is present, non-empty and at most
// max_message_bytes; the key is UTF-8 without NUL; it is a valid message v1 that a table
// can hold; the key equals the url; and url_digest is the SHA-256 of the url. Anything
// else is Poison, never an exception.
// A valid state-change event where a measurement belongs is wrong_kind.
std::variant<Measurement, Poison> decode_record(MessageDecoder& decoder, UrlDigester& digester,
                                                const RecordView& record,
                                                std::size_t max_message_bytes);

// The same for an events route: the same checks of value and key, then a valid event v1
// (state_event.h) whose url is the key; its url_digest is computed here. A valid measurement
// where an event belongs is wrong_kind.
std::variant<EventRow, Poison> decode_event_record(StateEventDecoder& decoder,
                                                   UrlDigester& digester, const RecordView& record,
                                                   std::size_t max_message_bytes);

// decode_record or decode_event_record (by record.kind) for every record, result i for
// record i. Large inputs are split over up to `threads` threads (the calling one included):
// JSON decoding is the consumer's main CPU cost. The records must stay valid until it
// returns.
std::vector<std::variant<Row, Poison>> decode_records(const std::vector<RecordView>& records,
                                                      std::size_t max_message_bytes,
                                                      unsigned threads);

}  // namespace hc::consumer
