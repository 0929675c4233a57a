// How a dead letter is made to fit its topic: the size limit of a record batch on the broker
// (the topic's max.message.bytes) against the bytes a letter takes on the wire.
//
// Pure; Thread: any.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace hc::consumer {

struct LetterParts {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// An upper bound of the bytes of a record batch (Kafka's v2 format, uncompressed) holding the
// letter alone: what the broker compares with max.message.bytes.
std::size_t letter_wire_bytes(const LetterParts& letter);

// Makes `letter` fit `limit_bytes` (letter_wire_bytes(letter) <= limit_bytes), in this order:
//   1. A letter that fits is left whole.
//   2. Otherwise it says so: headers hc-dlq-truncated: true and hc-dlq-original-bytes (the
//      value's size; the original stays in its source topic), and the value is cut to at most
//      `max_value_bytes`, the key to `max_key_bytes` (hc-dlq-original-key-bytes then).
//   3. While it is still too large: the value is cut (down to nothing), then the key, then the
//      values of the headers other than hc-dlq-reason, hc-source-* and the ones step 2 added.
// Returns false when even the letter with nothing left to cut does not fit (`letter` is then
// as small as it gets). Calling it again with a smaller limit cuts further.
bool fit_letter(LetterParts& letter, std::size_t limit_bytes, std::size_t max_value_bytes,
                std::size_t max_key_bytes);

}  // namespace hc::consumer
