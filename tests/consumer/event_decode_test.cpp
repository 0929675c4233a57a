// Records on an events route: an event becomes a row with the digest of its URL; the other
// kind of record arriving on either route, and bad events, are poison with their reason.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/state_event.h"
#include "hc/common/url_digest.h"
#include "hc/consumer/record_decoder.h"

namespace hc::consumer {
namespace {

constexpr std::string_view kUrl = "https://example.com/";

StateEvent down_event() {
  StateEvent event;
  event.url = std::string(kUrl);
  event.from = SiteStatus::kUp;
  event.to = SiteStatus::kDown;
  event.at = WallTime(std::chrono::microseconds(1'795'000'000'123'456));
  event.since = WallTime(std::chrono::microseconds(1'794'999'000'000'000));
  event.previous_duration_s = 1000;
  event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500\tx", 500};
  event.producer = "host:42";
  return event;
}

std::variant<Row, Poison> decode(const std::string& value, RouteKind kind,
                                 std::string_view key = kUrl) {
  std::vector<RecordView> records{
      RecordView{key.data(), key.size(), value.data(), value.size(), kind}};
  return decode_records(records, 65536, 1).at(0);
}

std::string reason_of(const std::variant<Row, Poison>& result) {
  const auto* poison = std::get_if<Poison>(&result);
  return poison == nullptr ? "(decoded)" : poison->reason + ": " + poison->detail;
}

TEST(EventRecords, AnEventOnAnEventsRouteBecomesARowWithTheDigestOfItsUrl) {
  auto result = decode(encode_state_event(down_event()), RouteKind::kEvents);
  ASSERT_TRUE(std::holds_alternative<Row>(result)) << reason_of(result);
  const auto& row = std::get<EventRow>(std::get<Row>(result));
  EXPECT_EQ(row.event, down_event());
  EXPECT_EQ(row.url_digest, url_digest(std::string(kUrl)));
}

TEST(EventRecords, AMeasurementOnAnEventsRouteIsWrongKind) {
  Measurement m;
  m.url = std::string(kUrl);
  m.url_digest = url_digest(m.url);
  m.measured_at = WallTime(std::chrono::microseconds(1'795'000'000'000'000));
  m.status_code = 200;
  auto result = decode(encode_message(m), RouteKind::kEvents);
  EXPECT_EQ(reason_of(result).substr(0, 10), "wrong_kind") << reason_of(result);
  EXPECT_NE(reason_of(result).find("a measurement (message v1) on an events route"),
            std::string::npos);
}

TEST(EventRecords, AnEventOnAMeasurementsRouteIsWrongKind) {
  auto result = decode(encode_state_event(down_event()), RouteKind::kMeasurements);
  EXPECT_EQ(reason_of(result).substr(0, 10), "wrong_kind") << reason_of(result);
  EXPECT_NE(reason_of(result).find("a state-change event on a measurements route"),
            std::string::npos);
}

TEST(EventRecords, BadEventsArePoisonWithTheirReason) {
  const std::string good = encode_state_event(down_event());
  auto replaced = [&good](std::string_view from, std::string_view to) {
    std::string value = good;
    value.replace(value.find(from), from.size(), to);
    return value;
  };
  EXPECT_EQ(reason_of(decode(replaced("\"to\":\"down\"", "\"to\":\"up\""), RouteKind::kEvents)),
            "bad_transition: 'from' and 'to' are both \"up\"");
  EXPECT_EQ(reason_of(decode(replaced("HTTP 500", "HTTP\\u0000"), RouteKind::kEvents)).substr(0, 8),
            "nul_byte");
  EXPECT_EQ(reason_of(decode(replaced("2026-11-18T11", "0000-11-18T11"), RouteKind::kEvents))
                .substr(0, 13),
            "bad_timestamp");
  EXPECT_EQ(
      reason_of(decode(replaced("\"previous_duration_s\":1000", "\"previous_duration_s\":\"1000\""),
                       RouteKind::kEvents))
          .substr(0, 10),
      "wrong_type");
  EXPECT_EQ(reason_of(decode(good, RouteKind::kEvents, "https://other/")).substr(0, 12),
            "key_mismatch");
  EXPECT_EQ(reason_of(decode("{\"type\":", RouteKind::kEvents)).substr(0, 8), "bad_json");
}

}  // namespace
}  // namespace hc::consumer
