#include "hc/common/message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hc/common/url_digest.h"

namespace hc {
namespace {

using std::chrono::microseconds;

Measurement full_measurement() {
  Measurement m;
  m.url = "https://example.com/";
  m.url_digest = url_digest(m.url);
  m.measured_at = WallTime(microseconds(1'795'000'000'123'456));
  m.status_code = 200;
  m.response_time_us = 123456;
  m.timings = {1200, 2300, 45000, 99000};
  m.regex = "Example D.main";
  m.regex_match = true;
  m.body_bytes = 1256;
  m.cert_expires_at = WallTime(microseconds(1'800'000'000'000'000));
  m.producer = "host:42";
  return m;
}

TEST(UrlDigest, IsLowercaseHexSha256OfTheUrlBytes) {
  EXPECT_EQ(url_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(url_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Timestamp, FormatsUtcWithMicroseconds) {
  WallTime t(microseconds(1'700'000'000'000'001));
  EXPECT_EQ(format_timestamp(t), "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20.000001Z"), t);
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20Z"), WallTime(microseconds(1'700'000'000'000'000)));
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20.5Z"), WallTime(microseconds(1'700'000'000'500'000)));
  EXPECT_FALSE(parse_timestamp("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(parse_timestamp("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(parse_timestamp("yesterday"));
}

TEST(MessageV1, RoundTripsEveryField) {
  Measurement m = full_measurement();
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded))
      << std::get<DecodeError>(decoded).detail;
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

TEST(MessageV1, RoundTripsAFailedCheckWithNulls) {
  Measurement m;
  m.url = "http://127.0.0.1:1/";
  m.url_digest = url_digest(m.url);
  m.measured_at = WallTime(microseconds(1'795'000'000'000'000));
  m.error = "connect";
  m.error_detail = "Connection refused";
  m.timings.dns_us = 10;
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded), m);
  auto json = nlohmann::json::parse(encode_message(m));
  EXPECT_TRUE(json["status_code"].is_null());
  EXPECT_TRUE(json["regex_match"].is_null());
  EXPECT_EQ(json["v"], 1);
}

TEST(MessageV1, IgnoresUnknownFields) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  json["added_in_v1_5"] = {{"anything", true}};
  EXPECT_TRUE(std::holds_alternative<Measurement>(decode_message(json.dump())));
}

struct PoisonCase {
  const char* name;
  std::function<void(nlohmann::json&)> spoil;
  const char* reason;
};

class MessageV1Poison : public testing::TestWithParam<PoisonCase> {};

TEST_P(MessageV1Poison, IsRejectedWithItsReason) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  GetParam().spoil(json);
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<DecodeError>(decoded));
  EXPECT_EQ(std::get<DecodeError>(decoded).reason, GetParam().reason)
      << std::get<DecodeError>(decoded).detail;
}

INSTANTIATE_TEST_SUITE_P(
    Table, MessageV1Poison,
    testing::Values(
        PoisonCase{"MissingUrl", [](auto& j) { j.erase("url"); }, "missing_field"},
        PoisonCase{"MissingMeasuredAt", [](auto& j) { j.erase("measured_at"); }, "missing_field"},
        PoisonCase{"UrlIsNumber", [](auto& j) { j["url"] = 5; }, "wrong_type"},
        PoisonCase{"StatusIsString", [](auto& j) { j["status_code"] = "200"; }, "wrong_type"},
        PoisonCase{"ResponseTimeIsFloat", [](auto& j) { j["response_time_us"] = 1.5; },
                   "wrong_type"},
        PoisonCase{"BadTimestamp", [](auto& j) { j["measured_at"] = "now"; }, "wrong_type"},
        PoisonCase{"BadDigest", [](auto& j) { j["url_digest"] = "xyz"; }, "wrong_type"},
        PoisonCase{"TimingIsString", [](auto& j) { j["timings_us"]["dns"] = "1"; }, "wrong_type"},
        PoisonCase{"Version2", [](auto& j) { j["v"] = 2; }, "bad_version"},
        PoisonCase{"NotAnObject", [](auto& j) { j = nlohmann::json::array({1, 2}); },
                   "wrong_type"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MessageV1, RejectsBytesThatAreNotJson) {
  auto decoded = decode_message("{\"v\":1,");
  ASSERT_TRUE(std::holds_alternative<DecodeError>(decoded));
  EXPECT_EQ(std::get<DecodeError>(decoded).reason, "bad_json");
}

}  // namespace
}  // namespace hc
