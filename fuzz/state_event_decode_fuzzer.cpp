// Fuzzes the state-change event v1 decoder (hc::StateEventDecoder, and decode_event_record on
// top of it): events are read from Kafka like measurements, so any bytes may arrive.
//
// Invariants, for any bytes:
//   - decoding never crashes or throws: a value is a StateEvent or a Poison with a reason
//     and a detail;
//   - an accepted StateEvent is one PostgreSQL can store and a transition that can happen:
//     non-empty url; no NUL and valid UTF-8 in every text; at and since in years 1..9999;
//     to is up or down and differs from from; since is not later than at;
//     previous_duration_s >= 0; status_code 0..999; at most kMaxFailedConditions
//     failed_conditions of at most kMaxConditionBytes each;
//   - encoding an accepted StateEvent and decoding that gives the same StateEvent (every
//     field compared), and encoding that again gives the same bytes;
//   - decode_event_record keyed by the decoded url accepts it, with the SHA-256 of the url as
//     its digest, and its COPY line has one field per events column and no raw newline;
//   - decode_event_record keyed by anything else refuses it as key_mismatch.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "hc/common/state_event.h"
#include "hc/common/url_digest.h"
#include "hc/consumer/record_decoder.h"
#include "hc/store/row.h"
#include "storable.h"

namespace {

using fuzz::storable_text;
using fuzz::storable_time;

void check_cause(const hc::StateCause& cause) {
  FUZZ_CHECK(cause.failed_conditions.size() <= hc::kMaxFailedConditions, "failed_conditions count");
  for (const auto& condition : cause.failed_conditions) {
    FUZZ_CHECK(storable_text(condition) && condition.size() <= hc::kMaxConditionBytes,
               "failed_conditions element");
  }
  FUZZ_CHECK(!cause.error || storable_text(*cause.error), "cause.error");
  FUZZ_CHECK(storable_text(cause.error_detail), "cause.error_detail");
  FUZZ_CHECK(!cause.status_code || (*cause.status_code >= 0 && *cause.status_code <= 999),
             "cause.status_code");
}

void check_storable(const hc::StateEvent& event) {
  FUZZ_CHECK(!event.url.empty() && storable_text(event.url), "url");
  FUZZ_CHECK(storable_text(event.producer), "producer");
  FUZZ_CHECK(event.to != hc::SiteStatus::kUnknown, "to is unknown");
  FUZZ_CHECK(event.from != event.to, "from equals to");
  FUZZ_CHECK(storable_time(event.at), "at");
  FUZZ_CHECK(!event.since || storable_time(*event.since), "since");
  FUZZ_CHECK(!event.since || *event.since <= event.at, "since later than at");
  FUZZ_CHECK(!event.previous_duration_s || *event.previous_duration_s >= 0, "previous_duration_s");
  if (event.cause) check_cause(*event.cause);
}

hc::consumer::RecordView keyed(std::string_view key, const std::uint8_t* data, std::size_t size) {
  return {key.data(), key.size(), data, size, hc::RouteKind::kEvents};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static hc::StateEventDecoder decoder;  // reused, as the consumer's decode threads do
  static hc::UrlDigester digester;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = decoder.decode(bytes);
  if (const auto* poison = std::get_if<hc::Poison>(&decoded)) {
    FUZZ_CHECK(!poison->reason.empty() && !poison->detail.empty(), "poison without a reason");
    return 0;
  }
  const hc::StateEvent event = std::get<hc::StateEvent>(std::move(decoded));
  check_storable(event);

  const std::string encoded = hc::encode_state_event(event);
  auto again = decoder.decode(encoded);
  FUZZ_CHECK(std::holds_alternative<hc::StateEvent>(again), "re-encoded event refused");
  FUZZ_CHECK(std::get<hc::StateEvent>(again) == event, "round trip changed a field");
  FUZZ_CHECK(hc::encode_state_event(std::get<hc::StateEvent>(again)) == encoded,
             "encoding is not stable");

  auto record =
      hc::consumer::decode_event_record(decoder, digester, keyed(event.url, data, size), size);
  FUZZ_CHECK(std::holds_alternative<hc::EventRow>(record),
             "decode_event_record refuses an event keyed by its url");
  const auto& row = std::get<hc::EventRow>(record);
  FUZZ_CHECK(row.event == event && row.url_digest == hc::url_digest(event.url),
             "decode_event_record changed the event or its digest");
  std::string line;
  hc::append_copy_row(line, hc::Row(row));
  FUZZ_CHECK(
      !line.empty() && line.back() == '\n' && std::count(line.begin(), line.end(), '\n') == 1,
      "COPY line is not one line");
  FUZZ_CHECK(static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t')) + 1 ==
                 hc::column_count(hc::RouteKind::kEvents),
             "COPY line has another number of fields than the events table has columns");

  const std::string other_key = event.url + "/";
  auto mismatched =
      hc::consumer::decode_event_record(decoder, digester, keyed(other_key, data, size), size);
  const auto* poison = std::get_if<hc::Poison>(&mismatched);
  FUZZ_CHECK(poison != nullptr && poison->reason == hc::consumer::kPoisonKeyMismatch,
             "an event keyed by another url is not key_mismatch");
  return 0;
}
