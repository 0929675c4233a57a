#include "decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <future>

#include "hc/common/url_digest.h"

namespace hc::consumer {

std::variant<Measurement, Poison> decode_record(MessageDecoder& decoder, const RecordView& record,
                                                std::size_t max_message_bytes) {
  if (record.value == nullptr || record.value_bytes == 0) {
    return Poison{std::string(kPoisonEmptyValue), "record has no value"};
  }
  if (record.value_bytes > max_message_bytes) {
    // Checked before parsing so a huge value costs no JSON work.
    return Poison{std::string(kPoisonTooLarge), fmt::format("value is {} bytes, the limit is {}",
                                                            record.value_bytes, max_message_bytes)};
  }
  std::string_view key =
      record.key == nullptr
          ? std::string_view()
          : std::string_view(static_cast<const char*>(record.key), record.key_bytes);
  // The key is raw bytes (the value's text was checked by the JSON parser).
  if (key.find('\0') != std::string_view::npos) {
    return Poison{std::string(kPoisonNulByte), "the key contains a NUL byte"};
  }
  if (!simdjson::validate_utf8(key.data(), key.size())) {
    return Poison{std::string(kPoisonBadUtf8), "the key is not valid UTF-8"};
  }
  std::string_view value(static_cast<const char*>(record.value), record.value_bytes);
  auto decoded = decoder.decode(value);
  if (std::holds_alternative<Poison>(decoded)) return decoded;
  auto& measurement = std::get<Measurement>(decoded);
  if (key != measurement.url) {
    // The key decides the partition: a key that is not the url would put one site's
    // measurements on several partitions and break per-site ordering.
    return Poison{std::string(kPoisonKeyMismatch),
                  record.key == nullptr
                      ? "record has no key; expected the url"
                      : fmt::format("key ({} bytes) differs from the url field", key.size())};
  }
  if (measurement.url_digest != url_digest(measurement.url)) {
    return Poison{std::string(kPoisonDigestMismatch),
                  "url_digest is not the SHA-256 of the url field"};
  }
  return std::move(measurement);
}

std::vector<std::variant<Measurement, Poison>> decode_records(
    const std::vector<RecordView>& records, std::size_t max_message_bytes, unsigned threads) {
  // Below this, a thread costs more than it saves.
  constexpr std::size_t kMinRecordsPerThread = 128;
  std::vector<std::variant<Measurement, Poison>> results(records.size());
  auto decode_range = [&](std::size_t begin, std::size_t end) {
    MessageDecoder decoder;
    for (std::size_t i = begin; i < end; ++i)
      results[i] = decode_record(decoder, records[i], max_message_bytes);
  };
  std::size_t parts =
      std::clamp<std::size_t>(records.size() / kMinRecordsPerThread, 1, std::max(threads, 1u));
  std::size_t per_part = (records.size() + parts - 1) / parts;
  std::vector<std::future<void>> helpers;
  for (std::size_t part = 1; part < parts; ++part) {
    std::size_t begin = part * per_part;
    std::size_t end = std::min(records.size(), begin + per_part);
    helpers.push_back(std::async(std::launch::async, decode_range, begin, end));
  }
  decode_range(0, std::min(records.size(), per_part));
  for (auto& helper : helpers) helper.get();  // rethrows (e.g. bad_alloc) on this thread
  return results;
}

}  // namespace hc::consumer
