#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <future>
#include <optional>

#include "hc/common/url_digest.h"
#include "hc/consumer/record_decoder.h"

namespace hc::consumer {

namespace {

// The checks every record passes before its value is decoded: a value of a size we take,
// a key PostgreSQL can hold. Returns the key.
std::variant<std::string_view, Poison> checked_key(const RecordView& record,
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
  return key;
}

std::string_view value_of(const RecordView& record) {
  return {static_cast<const char*>(record.value), record.value_bytes};
}

// The key decides the partition: a key that is not the url would put one site's records
// on several partitions and break per-site ordering.
std::optional<Poison> key_mismatch(const RecordView& record, std::string_view key,
                                   std::string_view url) {
  if (key == url) return std::nullopt;
  return Poison{std::string(kPoisonKeyMismatch),
                record.key == nullptr
                    ? "record has no key; expected the url"
                    : fmt::format("key ({} bytes) differs from the url field", key.size())};
}

// A record that lacks a field of the expected kind may be a valid record of the other kind
// (a route pointed at the wrong topic): say so rather than name the missing field. Only
// tried for missing_field, so good records and most bad ones cost nothing more.
Poison wrong_kind_or(Poison poison, std::string_view value, RouteKind expected) {
  if (poison.reason != kPoisonMissingField) return poison;
  if (expected == RouteKind::kMeasurements) {
    if (std::holds_alternative<StateEvent>(decode_state_event(value))) {
      return Poison{std::string(kPoisonWrongKind),
                    "a state-change event on a measurements route (expected message v1; a "
                    "route for events needs kind: events)"};
    }
  } else if (std::holds_alternative<Measurement>(decode_message(value))) {
    return Poison{std::string(kPoisonWrongKind),
                  "a measurement (message v1) on an events route (expected a state-change "
                  "event; a route for measurements needs kind: measurements)"};
  }
  return poison;
}

// The steps every record takes, whatever its route's kind: the value and key checks, the
// decode, the wrong-kind diagnosis of a decode failure, and the key-equals-url rule. `finish`
// turns the decoded value (a Measurement or a StateEvent) into the kind's result, or poisons
// it for a reason only that kind has.
template <typename Result, typename Decoder, typename Finish>
std::variant<Result, Poison> decode_keyed(Decoder& decoder, const RecordView& record,
                                          std::size_t max_message_bytes, RouteKind kind,
                                          Finish finish) {
  auto checked = checked_key(record, max_message_bytes);
  if (auto* poison = std::get_if<Poison>(&checked)) return std::move(*poison);
  const std::string_view key = std::get<std::string_view>(checked);
  auto decoded = decoder.decode(value_of(record));
  if (auto* poison = std::get_if<Poison>(&decoded)) {
    return wrong_kind_or(std::move(*poison), value_of(record), kind);
  }
  auto& value = std::get<0>(decoded);
  if (auto poison = key_mismatch(record, key, value.url)) return std::move(*poison);
  return finish(std::move(value));
}

// A kind's result (or its poison) as the batch's Row (or poison).
template <typename Result>
std::variant<Row, Poison> as_row(std::variant<Result, Poison>&& decoded) {
  if (auto* poison = std::get_if<Poison>(&decoded)) return std::move(*poison);
  return Row(std::move(std::get<Result>(decoded)));
}

}  // namespace

std::variant<Measurement, Poison> decode_record(MessageDecoder& decoder, UrlDigester& digester,
                                                const RecordView& record,
                                                std::size_t max_message_bytes) {
  return decode_keyed<Measurement>(
      decoder, record, max_message_bytes, RouteKind::kMeasurements,
      [&digester](Measurement measurement) -> std::variant<Measurement, Poison> {
        if (!digester.matches(measurement.url, measurement.url_digest)) {
          return Poison{std::string(kPoisonDigestMismatch),
                        "url_digest is not the SHA-256 of the url field"};
        }
        return measurement;
      });
}

std::variant<EventRow, Poison> decode_event_record(StateEventDecoder& decoder,
                                                   UrlDigester& digester, const RecordView& record,
                                                   std::size_t max_message_bytes) {
  return decode_keyed<EventRow>(decoder, record, max_message_bytes, RouteKind::kEvents,
                                [&digester](StateEvent event) -> std::variant<EventRow, Poison> {
                                  EventRow row;
                                  row.url_digest = url_digest_hex(digester.bytes(event.url));
                                  row.event = std::move(event);
                                  return row;
                                });
}

std::vector<std::variant<Row, Poison>> decode_records(const std::vector<RecordView>& records,
                                                      std::size_t max_message_bytes,
                                                      unsigned threads) {
  // Below this, a thread costs more than it saves.
  constexpr std::size_t kMinRecordsPerThread = 128;
  std::vector<std::variant<Row, Poison>> results(records.size());
  auto decode_range = [&](std::size_t begin, std::size_t end) {
    MessageDecoder decoder;
    UrlDigester digester;
    std::optional<StateEventDecoder> event_decoder;  // made for the first event
    for (std::size_t i = begin; i < end; ++i) {
      if (records[i].kind == RouteKind::kEvents) {
        if (!event_decoder) event_decoder.emplace();
        results[i] =
            as_row(decode_event_record(*event_decoder, digester, records[i], max_message_bytes));
      } else {
        results[i] = as_row(decode_record(decoder, digester, records[i], max_message_bytes));
      }
    }
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
