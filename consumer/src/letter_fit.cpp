#include "letter_fit.h"

#include <algorithm>
#include <string_view>

namespace hc::consumer {
namespace {

// The batch header (61 bytes) and one record's own fields, each varint at its widest.
constexpr std::size_t kBatchAndRecordFramingBytes = 61 + 36;
// A header's two length varints.
constexpr std::size_t kHeaderFramingBytes = 10;

constexpr std::string_view kReason = "hc-dlq-reason";
constexpr std::string_view kTruncated = "hc-dlq-truncated";
constexpr std::string_view kOriginalBytes = "hc-dlq-original-bytes";
constexpr std::string_view kOriginalKeyBytes = "hc-dlq-original-key-bytes";

bool has_header(const LetterParts& letter, std::string_view name) {
  return std::any_of(letter.headers.begin(), letter.headers.end(),
                     [name](const auto& header) { return header.first == name; });
}

// Headers that locate and classify the letter: kept whole.
bool is_kept_header(std::string_view name) {
  return name == kReason || name.starts_with("hc-source-") || name == kTruncated ||
         name == kOriginalBytes || name == kOriginalKeyBytes;
}

void cut_key(LetterParts& letter, std::size_t max_bytes) {
  if (letter.key.size() <= max_bytes) return;
  if (!has_header(letter, kOriginalKeyBytes)) {
    letter.headers.emplace_back(kOriginalKeyBytes, std::to_string(letter.key.size()));
  }
  letter.key.resize(max_bytes);
}

// Cuts `text` by up to `excess` bytes; returns what is still in excess.
std::size_t cut_by(std::string& text, std::size_t excess) {
  const std::size_t cut = std::min(text.size(), excess);
  text.resize(text.size() - cut);
  return excess - cut;
}

}  // namespace

std::size_t letter_wire_bytes(const LetterParts& letter) {
  std::size_t bytes = kBatchAndRecordFramingBytes + letter.key.size() + letter.value.size();
  for (const auto& [name, value] : letter.headers) {
    bytes += kHeaderFramingBytes + name.size() + value.size();
  }
  return bytes;
}

bool fit_letter(LetterParts& letter, std::size_t limit_bytes, std::size_t max_value_bytes,
                std::size_t max_key_bytes) {
  if (letter_wire_bytes(letter) <= limit_bytes) return true;
  if (!has_header(letter, kTruncated)) {
    letter.headers.emplace_back(kTruncated, "true");
    letter.headers.emplace_back(kOriginalBytes, std::to_string(letter.value.size()));
  }
  if (letter.value.size() > max_value_bytes) letter.value.resize(max_value_bytes);
  cut_key(letter, max_key_bytes);
  std::size_t size = letter_wire_bytes(letter);
  if (size <= limit_bytes) return true;
  std::size_t excess = cut_by(letter.value, size - limit_bytes);
  if (excess > 0 && !letter.key.empty()) {
    // The key's size is recorded before it is cut (the header's bytes count too).
    if (!has_header(letter, kOriginalKeyBytes)) {
      letter.headers.emplace_back(kOriginalKeyBytes, std::to_string(letter.key.size()));
    }
    size = letter_wire_bytes(letter);
    excess = cut_by(letter.key, size > limit_bytes ? size - limit_bytes : 0);
  }
  for (auto& [name, value] : letter.headers) {
    if (excess == 0) break;
    if (!is_kept_header(name)) excess = cut_by(value, excess);
  }
  return letter_wire_bytes(letter) <= limit_bytes;
}

}  // namespace hc::consumer
