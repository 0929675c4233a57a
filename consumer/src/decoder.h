// Turns one Kafka record into a Measurement or a poison verdict.
//
// No state of its own: called from the consumer loop thread (and its decode helpers)
// for every record; each thread brings its own MessageDecoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/common/message.h"

namespace hc::consumer {

// Why a record cannot be written: hc::Poison (message.h). Besides the message decoder's
// kinds, this decoder reports these, and nul_byte / bad_utf8 for a key PostgreSQL could
// not hold either.
inline constexpr std::string_view kPoisonTooLarge = "too_large";
inline constexpr std::string_view kPoisonEmptyValue = "empty_value";
inline constexpr std::string_view kPoisonKeyMismatch = "key_mismatch";
inline constexpr std::string_view kPoisonDigestMismatch = "digest_mismatch";

struct RecordView {
  const void* key = nullptr;  // may be null (record without key)
  std::size_t key_bytes = 0;
  const void* value = nullptr;  // may be null (tombstone)
  std::size_t value_bytes = 0;
};

// Accepts a record only if: the value is present, non-empty and at most
// max_message_bytes; the key is UTF-8 without NUL; it is a valid message v1 that a table
// can hold; the key equals the url; and url_digest is the SHA-256 of the url. Anything
// else is Poison, never an exception.
std::variant<Measurement, Poison> decode_record(MessageDecoder& decoder, const RecordView& record,
                                                std::size_t max_message_bytes);

// decode_record for every record, result i for record i. Large inputs are split over up
// to `threads` threads (the calling one included): JSON decoding is the consumer's main
// CPU cost. The records must stay valid until it returns.
std::vector<std::variant<Measurement, Poison>> decode_records(
    const std::vector<RecordView>& records, std::size_t max_message_bytes, unsigned threads);

}  // namespace hc::consumer
