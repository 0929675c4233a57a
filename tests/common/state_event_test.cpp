// State-change event v1: what the encoder writes and what the strict decoder accepts.
#include "hc/common/state_event.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

namespace hc {
namespace {

using std::chrono::microseconds;

StateEvent down_event() {
  StateEvent event;
  event.url = "https://example.com/health?x=1";
  event.from = SiteStatus::kUp;
  event.to = SiteStatus::kDown;
  event.at = WallTime(microseconds(1'795'000'003'123'456));
  event.since = WallTime(microseconds(1'795'000'000'000'000));
  event.previous_duration_s = 3;
  event.cause = StateCause{{"status", "regex"}, "unexpected_status", "HTTP 500", 500};
  event.producer = "host:42";
  return event;
}

TEST(StateEventV1, RoundTripsEveryField) {
  const StateEvent event = down_event();
  auto decoded = decode_state_event(encode_state_event(event));
  ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<StateEvent>(decoded), event);
}

TEST(StateEventV1, RoundTripsAFirstUpWithNulls) {
  StateEvent event;
  event.url = "http://127.0.0.1:8080/";
  event.from = SiteStatus::kUnknown;
  event.to = SiteStatus::kUp;
  event.at = WallTime(microseconds(1'795'000'000'000'000));
  event.producer = "h:1";
  const std::string encoded = encode_state_event(event);
  auto decoded = decode_state_event(encoded);
  ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<StateEvent>(decoded), event);
  auto json = nlohmann::json::parse(encoded);
  EXPECT_TRUE(json["cause"].is_null());
  EXPECT_TRUE(json["since"].is_null());
  EXPECT_TRUE(json["previous_duration_s"].is_null());
}

TEST(StateEventV1, EncodesTheDocumentedFieldsNlohmannReadsBack) {
  auto json = nlohmann::json::parse(encode_state_event(down_event()));
  EXPECT_EQ(json["type"], "state_change");
  EXPECT_EQ(json["v"], 1);
  EXPECT_EQ(json["url"], "https://example.com/health?x=1");
  EXPECT_EQ(json["from"], "up");
  EXPECT_EQ(json["to"], "down");
  EXPECT_EQ(json["at"], "2026-11-18T11:06:43.123456Z");
  EXPECT_EQ(json["since"], "2026-11-18T11:06:40.000000Z");
  EXPECT_EQ(json["previous_duration_s"], 3);
  EXPECT_EQ(json["cause"]["failed_conditions"], nlohmann::json({"status", "regex"}));
  EXPECT_EQ(json["cause"]["error"], "unexpected_status");
  EXPECT_EQ(json["cause"]["error_detail"], "HTTP 500");
  EXPECT_EQ(json["cause"]["status_code"], 500);
  EXPECT_EQ(json["producer"], "host:42");
}

TEST(StateEventV1, RoundTripsTextThatNeedsEscaping) {
  StateEvent event = down_event();
  event.cause->error_detail = "line1\nline2 \"quoted\" \\ tab\t \u00e9";
  auto decoded = decode_state_event(encode_state_event(event));
  ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<StateEvent>(decoded), event);
}

TEST(StateEventV1, IgnoresUnknownFieldsAnywhere) {
  auto json = nlohmann::json::parse(encode_state_event(down_event()));
  json["future"] = {{"nested", {1, 2, 3}}};
  json["cause"]["future"] = "x";
  auto decoded = decode_state_event(json.dump());
  ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<StateEvent>(decoded), down_event());
}

// A measurement (message v1) on an events topic is no event.
TEST(StateEventV1, AMeasurementIsNotAnEvent) {
  auto decoded = decode_state_event(
      R"({"v":1,"url":"http://a/","url_digest":"00","measured_at":"2026-01-01T00:00:00Z"})");
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "missing_field");
  EXPECT_EQ(std::get<Poison>(decoded).detail, "required field 'type' is missing");
}

struct PoisonCase {
  const char* name;
  std::function<void(nlohmann::json&)> spoil;
  const char* reason;
};
// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
void PrintTo(const PoisonCase& poison_case, std::ostream* out) { *out << poison_case.name; }

class StateEventV1Poison : public testing::TestWithParam<PoisonCase> {};

TEST_P(StateEventV1Poison, IsRejectedWithItsReason) {
  auto json = nlohmann::json::parse(encode_state_event(down_event()));
  GetParam().spoil(json);
  auto decoded = decode_state_event(json.dump());
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded)) << json.dump();
  EXPECT_EQ(std::get<Poison>(decoded).reason, GetParam().reason)
      << std::get<Poison>(decoded).detail;
}

INSTANTIATE_TEST_SUITE_P(
    Table, StateEventV1Poison,
    testing::Values(
        PoisonCase{"OtherType", [](auto& j) { j["type"] = "measurement"; }, "wrong_type"},
        PoisonCase{"TypeIsNumber", [](auto& j) { j["type"] = 1; }, "wrong_type"},
        PoisonCase{"MissingType", [](auto& j) { j.erase("type"); }, "missing_field"},
        PoisonCase{"Version2", [](auto& j) { j["v"] = 2; }, "bad_version"},
        PoisonCase{"VersionAboveInt64", [](auto& j) { j["v"] = std::uint64_t{1} << 63; },
                   "bad_version"},
        PoisonCase{"MissingUrl", [](auto& j) { j.erase("url"); }, "missing_field"},
        PoisonCase{"EmptyUrl", [](auto& j) { j["url"] = ""; }, "wrong_type"},
        PoisonCase{"MissingFrom", [](auto& j) { j.erase("from"); }, "missing_field"},
        PoisonCase{"MissingTo", [](auto& j) { j.erase("to"); }, "missing_field"},
        PoisonCase{"MissingAt", [](auto& j) { j.erase("at"); }, "missing_field"},
        PoisonCase{"UnknownStateWord", [](auto& j) { j["to"] = "sideways"; }, "bad_transition"},
        PoisonCase{"ToUnknown", [](auto& j) { j["to"] = "unknown"; }, "bad_transition"},
        PoisonCase{"SameFromAndTo", [](auto& j) { j["from"] = "down"; }, "bad_transition"},
        PoisonCase{"StateWordInOtherCase", [](auto& j) { j["from"] = "UP"; }, "bad_transition"},
        PoisonCase{"SinceAfterAt", [](auto& j) { j["since"] = "2027-01-01T00:00:00Z"; },
                   "bad_transition"},
        PoisonCase{"AtNotATime", [](auto& j) { j["at"] = "now"; }, "bad_timestamp"},
        PoisonCase{"AtYearZero", [](auto& j) { j["at"] = "0000-01-01T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"AtFiveDigitYear", [](auto& j) { j["at"] = "+10000-01-01T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"SinceNotATime", [](auto& j) { j["since"] = "yesterday"; }, "bad_timestamp"},
        PoisonCase{"AtIsNumber", [](auto& j) { j["at"] = 1700000000; }, "wrong_type"},
        PoisonCase{"NegativeDuration", [](auto& j) { j["previous_duration_s"] = -1; },
                   "out_of_range"},
        PoisonCase{"DurationIsFloat", [](auto& j) { j["previous_duration_s"] = 1.5; },
                   "wrong_type"},
        PoisonCase{"CauseIsString", [](auto& j) { j["cause"] = "HTTP 500"; }, "wrong_type"},
        PoisonCase{"CauseWithoutConditions", [](auto& j) { j["cause"].erase("failed_conditions"); },
                   "missing_field"},
        PoisonCase{"ConditionIsNumber", [](auto& j) { j["cause"]["failed_conditions"][0] = 7; },
                   "wrong_type"},
        PoisonCase{"ConditionsIsObject",
                   [](auto& j) {
                     j["cause"]["failed_conditions"] = {{"a", 1}};
                   },
                   "wrong_type"},
        PoisonCase{"TooManyConditions",
                   [](auto& j) {
                     j["cause"]["failed_conditions"] =
                         std::vector<std::string>(kMaxFailedConditions + 1, "status");
                   },
                   "out_of_range"},
        PoisonCase{"ConditionTooLong",
                   [](auto& j) {
                     j["cause"]["failed_conditions"][0] = std::string(kMaxConditionBytes + 1, 'x');
                   },
                   "out_of_range"},
        PoisonCase{"StatusOutOfRange", [](auto& j) { j["cause"]["status_code"] = 1000; },
                   "out_of_range"},
        PoisonCase{"NulInUrl", [](auto& j) { j["url"] = std::string("http://a/\0", 10); },
                   "nul_byte"},
        PoisonCase{"NulInCondition",
                   [](auto& j) { j["cause"]["failed_conditions"][1] = std::string("re\0", 3); },
                   "nul_byte"},
        PoisonCase{"NulInErrorDetail",
                   [](auto& j) { j["cause"]["error_detail"] = std::string("\0", 1); }, "nul_byte"},
        PoisonCase{"NulInProducer", [](auto& j) { j["producer"] = std::string("h\0", 2); },
                   "nul_byte"},
        PoisonCase{"NotAnObject", [](auto& j) { j = nlohmann::json::array({1}); }, "wrong_type"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StateEventV1, RejectsInvalidUtf8AsBadUtf8) {
  std::string value = encode_state_event(down_event());
  value.replace(value.find("host:42"), 7, "host\xff:42");
  auto decoded = decode_state_event(value);
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_utf8");
}

TEST(StateEventV1, RejectsBytesThatAreNotJson) {
  for (std::string_view bytes : {"", "{", "{\"type\":\"state_change\",", "null"}) {
    auto decoded = decode_state_event(bytes);
    ASSERT_TRUE(std::holds_alternative<Poison>(decoded)) << bytes;
  }
}

TEST(StateEventV1, StatusNamesRoundTrip) {
  for (SiteStatus status : {SiteStatus::kUnknown, SiteStatus::kUp, SiteStatus::kDown}) {
    EXPECT_EQ(parse_status(status_name(status)), status);
  }
  EXPECT_EQ(parse_status("Up"), std::nullopt);
  EXPECT_EQ(parse_status(""), std::nullopt);
}

}  // namespace
}  // namespace hc
