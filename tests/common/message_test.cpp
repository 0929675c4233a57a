#include "hc/common/message.h"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <ostream>

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
  m.healthy = false;
  m.failed_conditions = {"response_time", "header:Content-Type"};
  m.body_bytes = 1256;
  m.body_truncated = true;
  m.attempts = 3;
  m.cert_expires_at = WallTime(microseconds(1'800'000'000'000'000));
  m.producer = "host:42";
  return m;
}

TEST(UrlDigest, IsLowercaseHexSha256OfTheUrlBytes) {
  EXPECT_EQ(url_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(url_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(UrlDigest, ADigesterGivesTheSameDigestsCallAfterCall) {
  UrlDigester digester;
  for (const std::string url : {"abc", "", "https://example.test/a?b=c", "abc"}) {
    EXPECT_EQ(url_digest_hex(digester.bytes(url)), url_digest(url)) << url;
    EXPECT_TRUE(digester.matches(url, url_digest(url))) << url;
  }
}

TEST(UrlDigest, ADigesterMatchesOnlyTheLowercaseDigestOfThatUrl) {
  UrlDigester digester;
  const std::string digest = url_digest("abc");
  EXPECT_FALSE(digester.matches("abd", digest));
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(digester.matches("abc", upper));
  EXPECT_FALSE(digester.matches("abc", digest.substr(0, 63)));
  EXPECT_FALSE(digester.matches("abc", digest + "0"));
  std::string last_digit_changed = digest;
  last_digit_changed.back() = last_digit_changed.back() == '0' ? '1' : '0';
  EXPECT_FALSE(digester.matches("abc", last_digit_changed));
}

TEST(Timestamp, FormatsUtcWithMicroseconds) {
  WallTime t(microseconds(1'700'000'000'000'001));
  EXPECT_EQ(format_timestamp(t), "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20.000001Z"), t);
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20Z"), WallTime(microseconds(1'700'000'000'000'000)));
  EXPECT_EQ(parse_timestamp("2023-11-14T22:13:20.5Z"),
            WallTime(microseconds(1'700'000'000'500'000)));
  EXPECT_FALSE(parse_timestamp("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(parse_timestamp("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(parse_timestamp("yesterday"));
}

// PostgreSQL stores timestamptz years 1..9999 as written here; year 0, signed years and
// five-digit years are refused by the database, so the parser refuses them first.
TEST(Timestamp, AcceptsOnlyYearsOneToNineThousandNineHundredNinetyNine) {
  EXPECT_EQ(parse_timestamp("0001-01-01T00:00:00Z"),
            WallTime(std::chrono::sys_days(std::chrono::year(1) / 1 / 1).time_since_epoch()));
  EXPECT_TRUE(parse_timestamp("9999-12-31T23:59:59.999999Z"));
  for (const char* text :
       {"0000-01-01T00:00:00Z", "-001-01-01T00:00:00Z", "+100-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "9999-12-31T23:59:60Z"}) {
    EXPECT_FALSE(parse_timestamp(text)) << text;
  }
}

TEST(Timestamp, RefusesSignsAndSpacesInsideNumbers) {
  for (const char* text : {"2023-+1-14T22:13:20Z", "2023-11--1T22:13:20Z", "2023-11-14T-1:13:20Z",
                           "2023-11-14T22:-1:20Z", "2023-11-14T22:13:-1Z", "2023-11-14T22:13: 1Z",
                           "2023-11-14T22:13:20.-1Z", "2023-11-14T22:13:20.Z"}) {
    EXPECT_FALSE(parse_timestamp(text)) << text;
  }
}

TEST(Timestamp, ParsesWhatItFormatsAtTheEndsOfItsRange) {
  for (const char* text : {"0001-01-01T00:00:00.000000Z", "1969-12-31T23:59:59.999999Z",
                           "9999-12-31T23:59:59.999999Z"}) {
    auto parsed = parse_timestamp(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(format_timestamp(*parsed), text);
  }
}

TEST(MessageV1, RoundTripsEveryField) {
  Measurement m = full_measurement();
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
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

TEST(MessageV1, RoundTripsStringsThatNeedEscaping) {
  Measurement m = full_measurement();
  m.url = "http://127.0.0.1:8080/search?q=\"quoted\"&path=C:\\dir";
  m.url_digest = url_digest(m.url);
  m.regex = R"(\d+\s"x"\\)";
  m.error = "http";
  m.error_detail = "line one\nline\ttwo \x01 caf\u00e9 \u2713";
  m.producer = "h\u00f6st:1";
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

TEST(MessageV1, ReplacesInvalidUtf8InsteadOfFailing) {
  Measurement m = full_measurement();
  m.error = "http";
  m.error_detail = std::string("bad byte \xff here");
  const std::string encoded = encode_message(m);
  auto json = nlohmann::json::parse(encoded);                     // valid JSON, hence valid UTF-8
  EXPECT_EQ(json["error_detail"], "bad byte \xef\xbf\xbd here");  // U+FFFD
  EXPECT_TRUE(std::holds_alternative<Measurement>(decode_message(encoded)));
}

TEST(MessageV1, EncodesWhatNlohmannReadsBackFieldByField) {
  const Measurement m = full_measurement();
  auto json = nlohmann::json::parse(encode_message(m));
  EXPECT_EQ(json.size(), 18u);
  EXPECT_EQ(json["url"], m.url);
  EXPECT_EQ(json["url_digest"], m.url_digest);
  EXPECT_EQ(json["measured_at"], "2026-11-18T11:06:40.123456Z");
  EXPECT_EQ(json["status_code"], 200);
  EXPECT_EQ(json["response_time_us"], 123456);
  EXPECT_EQ(json["timings_us"],
            nlohmann::json({{"dns", 1200}, {"connect", 2300}, {"tls", 45000}, {"ttfb", 99000}}));
  EXPECT_TRUE(json["error"].is_null());
  EXPECT_EQ(json["error_detail"], "");
  EXPECT_EQ(json["regex"], "Example D.main");
  EXPECT_EQ(json["regex_match"], true);
  EXPECT_EQ(json["healthy"], false);
  EXPECT_EQ(json["failed_conditions"], nlohmann::json({"response_time", "header:Content-Type"}));
  EXPECT_EQ(json["body_bytes"], 1256);
  EXPECT_EQ(json["body_truncated"], true);
  EXPECT_EQ(json["attempts"], 3);
  EXPECT_EQ(json["cert_expires_at"], "2027-01-15T08:00:00.000000Z");
  EXPECT_EQ(json["producer"], "host:42");
}

TEST(MessageV1, EncodesTheVerdict) {
  Measurement m = full_measurement();
  m.healthy = false;
  m.failed_conditions = {"status", "header:Content-Type", "quote\"d"};
  m.body_truncated = true;
  m.attempts = 3;
  auto json = nlohmann::json::parse(encode_message(m));
  EXPECT_EQ(json["attempts"], 3);
  EXPECT_EQ(json["healthy"], false);
  EXPECT_EQ(json["failed_conditions"],
            nlohmann::json({"status", "header:Content-Type", "quote\"d"}));
  EXPECT_EQ(json["body_truncated"], true);
}

TEST(MessageV1, RoundTripsConditionNamesThatNeedEscaping) {
  Measurement m = full_measurement();
  m.healthy = true;
  m.failed_conditions = {"",
                         "NULL",
                         "a,b",
                         "{x}",
                         " spaced ",
                         "quote\"d",
                         "back\\slash",
                         "tab\tand\nnewline",
                         "caf\xc3\xa9",
                         std::string(256, 'x')};
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

// Producers before the verdict send none of its fields: the row says "unknown", not "down".
TEST(MessageV1, AMessageWithoutTheVerdictFieldsDecodesAsUnknown) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  for (const char* field : {"healthy", "failed_conditions", "body_truncated", "attempts"}) {
    json.erase(field);
  }
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
  const auto& m = std::get<Measurement>(decoded);
  EXPECT_EQ(m.healthy, std::nullopt);
  EXPECT_TRUE(m.failed_conditions.empty());
  EXPECT_FALSE(m.body_truncated);
  EXPECT_EQ(m.attempts, std::nullopt);
}

TEST(MessageV1, NullVerdictFieldsAreAbsentOnes) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  for (const char* field : {"healthy", "failed_conditions", "body_truncated", "attempts"}) {
    json[field] = nullptr;
  }
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<Measurement>(decoded).healthy, std::nullopt);
  EXPECT_EQ(std::get<Measurement>(decoded).attempts, std::nullopt);
}

TEST(MessageV1, AcceptsTheBoundsOfAttemptsAndConditions) {
  for (int attempts : {1, 100}) {
    auto json = nlohmann::json::parse(encode_message(full_measurement()));
    json["attempts"] = attempts;
    json["failed_conditions"] = std::vector<std::string>(64, std::string(256, 'c'));
    auto decoded = decode_message(json.dump());
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
    EXPECT_EQ(std::get<Measurement>(decoded).attempts, attempts);
    EXPECT_EQ(std::get<Measurement>(decoded).failed_conditions.size(), 64u);
  }
}

TEST(MessageV1, NamesTheBadConditionByItsIndex) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  json["failed_conditions"] = {"status", 7};
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).detail,
            "field 'failed_conditions[1]' must be a string, got number");
}

TEST(MessageV1, RejectsInvalidUtf8InAConditionAsBadUtf8) {
  std::string value = encode_message(full_measurement());
  value.replace(value.find("response_time\""), 13, "response\xc3(time");
  auto decoded = decode_message(value);
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_utf8");
}

TEST(MessageV1, DecodesFieldsInAnyOrderAroundNestedUnknownValues) {
  const Measurement m = full_measurement();
  auto json = nlohmann::json::parse(encode_message(m));
  nlohmann::json reordered = nlohmann::json::object();
  reordered["extra"] = {{"timings_us", {{"dns", "not this one"}}}, {"list", {1, {{"url", 2}}}}};
  for (auto it = json.rbegin(); it != json.rend(); ++it) reordered[it.key()] = it.value();
  reordered["timings_us"]["future_phase"] = {{"dns", "ignored"}};
  auto decoded = decode_message(reordered.dump());
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << std::get<Poison>(decoded).detail;
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

TEST(MessageV1, ReportsTheFirstErrorInFieldOrderNotDocumentOrder) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  json["producer"] = 7;
  json["url"] = false;
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).detail, "field 'url' must be a string, got boolean");
}

TEST(MessageV1, TruncatedArrayIsBadJsonNotWrongType) {
  auto decoded = decode_message("[1, 2");
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_json");
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
// gtest prints a parameter in failure messages and in --gtest_list_tests: the case's name.
// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
void PrintTo(const PoisonCase& poison_case, std::ostream* out) { *out << poison_case.name; }

class MessageV1Poison : public testing::TestWithParam<PoisonCase> {};

TEST_P(MessageV1Poison, IsRejectedWithItsReason) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  GetParam().spoil(json);
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, GetParam().reason)
      << std::get<Poison>(decoded).detail;
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
        PoisonCase{"BadTimestamp", [](auto& j) { j["measured_at"] = "now"; }, "bad_timestamp"},
        PoisonCase{"BadDigest", [](auto& j) { j["url_digest"] = "xyz"; }, "wrong_type"},
        PoisonCase{"TimingIsString", [](auto& j) { j["timings_us"]["dns"] = "1"; }, "wrong_type"},
        PoisonCase{"Version2", [](auto& j) { j["v"] = 2; }, "bad_version"},
        PoisonCase{"NotAnObject",
                   [](auto& j) {
                     j = nlohmann::json::array({1, 2});
                   },
                   "wrong_type"},
        PoisonCase{"VersionIsString", [](auto& j) { j["v"] = "1"; }, "wrong_type"},
        PoisonCase{"MissingVersion", [](auto& j) { j.erase("v"); }, "missing_field"},
        PoisonCase{"TimingsIsArray",
                   [](auto& j) {
                     j["timings_us"] = {1, 2};
                   },
                   "wrong_type"},
        PoisonCase{"RegexMatchIsNumber", [](auto& j) { j["regex_match"] = 1; }, "wrong_type"},
        PoisonCase{"StatusOutOfRange", [](auto& j) { j["status_code"] = 1000; }, "out_of_range"},
        PoisonCase{"BadCertExpiry", [](auto& j) { j["cert_expires_at"] = "soon"; },
                   "bad_timestamp"},
        PoisonCase{"NulInErrorDetail", [](auto& j) { j["error_detail"] = std::string("a\0b", 3); },
                   "nul_byte"},
        PoisonCase{"NulInUrl", [](auto& j) { j["url"] = std::string("https://a/\0", 11); },
                   "nul_byte"},
        PoisonCase{"NulInError", [](auto& j) { j["error"] = std::string("\0", 1); }, "nul_byte"},
        PoisonCase{"NulInRegex", [](auto& j) { j["regex"] = std::string("x\0", 2); }, "nul_byte"},
        PoisonCase{"NulInProducer", [](auto& j) { j["producer"] = std::string("\0h:1", 4); },
                   "nul_byte"},
        PoisonCase{"YearZero", [](auto& j) { j["measured_at"] = "0000-01-01T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"NegativeYear", [](auto& j) { j["measured_at"] = "-001-01-01T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"FiveDigitYear", [](auto& j) { j["measured_at"] = "+10000-01-01T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"CertYearZero", [](auto& j) { j["cert_expires_at"] = "0000-12-31T00:00:00Z"; },
                   "bad_timestamp"},
        PoisonCase{"NegativeStatus", [](auto& j) { j["status_code"] = -1; }, "out_of_range"},
        PoisonCase{"ResponseTimeAboveBigint",
                   [](auto& j) { j["response_time_us"] = std::uint64_t{1} << 63; }, "out_of_range"},
        PoisonCase{"NegativeResponseTime", [](auto& j) { j["response_time_us"] = -5; },
                   "out_of_range"},
        PoisonCase{"NegativeTiming", [](auto& j) { j["timings_us"]["ttfb"] = -1; }, "out_of_range"},
        PoisonCase{"TimingAboveBigint",
                   [](auto& j) { j["timings_us"]["dns"] = std::uint64_t{1} << 63; },
                   "out_of_range"},
        PoisonCase{"NegativeBodyBytes", [](auto& j) { j["body_bytes"] = -1; }, "out_of_range"},
        PoisonCase{"HealthyIsString", [](auto& j) { j["healthy"] = "true"; }, "wrong_type"},
        PoisonCase{"HealthyIsNumber", [](auto& j) { j["healthy"] = 1; }, "wrong_type"},
        PoisonCase{"FailedConditionsIsString", [](auto& j) { j["failed_conditions"] = "status"; },
                   "wrong_type"},
        PoisonCase{"FailedConditionsIsObject",
                   [](auto& j) {
                     j["failed_conditions"] = {{"status", true}};
                   },
                   "wrong_type"},
        PoisonCase{"FailedConditionIsNull",
                   [](auto& j) {
                     j["failed_conditions"] = nlohmann::json::array({"status", nullptr});
                   },
                   "wrong_type"},
        PoisonCase{"FailedConditionIsNestedArray",
                   [](auto& j) {
                     j["failed_conditions"] =
                         nlohmann::json::array({nlohmann::json::array({"status"})});
                   },
                   "wrong_type"},
        PoisonCase{"NulInFailedCondition",
                   [](auto& j) {
                     j["failed_conditions"] = {"status", std::string("re\0gex", 6)};
                   },
                   "nul_byte"},
        PoisonCase{"TooManyFailedConditions",
                   [](auto& j) { j["failed_conditions"] = std::vector<std::string>(65, "s"); },
                   "out_of_range"},
        PoisonCase{"FailedConditionTooLong",
                   [](auto& j) {
                     j["failed_conditions"] = {"status", std::string(257, 'x')};
                   },
                   "out_of_range"},
        PoisonCase{"BodyTruncatedIsString", [](auto& j) { j["body_truncated"] = "no"; },
                   "wrong_type"},
        PoisonCase{"AttemptsZero", [](auto& j) { j["attempts"] = 0; }, "out_of_range"},
        PoisonCase{"AttemptsNegative", [](auto& j) { j["attempts"] = -3; }, "out_of_range"},
        PoisonCase{"AttemptsAboveHundred", [](auto& j) { j["attempts"] = 101; }, "out_of_range"},
        PoisonCase{"AttemptsAboveBigint", [](auto& j) { j["attempts"] = std::uint64_t{1} << 63; },
                   "out_of_range"},
        PoisonCase{"AttemptsIsFloat", [](auto& j) { j["attempts"] = 2.0; }, "wrong_type"},
        PoisonCase{"AttemptsIsString", [](auto& j) { j["attempts"] = "2"; }, "wrong_type"},
        PoisonCase{"LoopLagNegative", [](auto& j) { j["loop_lag_us"] = -1; }, "out_of_range"},
        PoisonCase{"LoopLagIsFloat", [](auto& j) { j["loop_lag_us"] = 1.5; }, "wrong_type"}),
    [](const auto& info) { return std::string(info.param.name); });

// simdjson validates the UTF-8 of the whole document; PostgreSQL would refuse such text.
TEST(MessageV1, RejectsInvalidUtf8AsBadUtf8) {
  std::string value = encode_message(full_measurement());
  value.replace(value.find("host:42"), 7, "host\xff:42");
  auto decoded = decode_message(value);
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_utf8");
}

// The detail quotes the bad value escaped and cut at 40 bytes, even inside a character
// (a cut multi-byte character once tripped fmt's own escaping; found by fuzz_message_decode).
TEST(MessageV1, QuotesABadTimestampEscapedAndCut) {
  auto json = nlohmann::json::parse(encode_message(full_measurement()));
  json["measured_at"] = "2026-11-23T10:00:00.1 \\\"\t" + std::string(13, 'x') + "\u4e2d\u4e2d";
  auto decoded = decode_message(json.dump());
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_timestamp");
  EXPECT_EQ(std::get<Poison>(decoded).detail,
            "field 'measured_at' is not an RFC 3339 UTC time in years 0001..9999: "
            "\"2026-11-23T10:00:00.1 \\x5c\\x22\\x09xxxxxxxxxxxxx\\xe4\\xb8\"...");
}

TEST(MessageV1, RejectsBytesThatAreNotJson) {
  auto decoded = decode_message("{\"v\":1,");
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, "bad_json");
}

}  // namespace
}  // namespace hc

namespace hc {
namespace {

TEST(MessageV1, AnHttpMessageCarriesNoCheckTypeFields) {
  const std::string json = encode_message(full_measurement());
  EXPECT_EQ(json.find("check_type"), std::string::npos);
  EXPECT_EQ(json.find("chain_"), std::string::npos);
  auto decoded = decode_message(json);
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_FALSE(std::get<Measurement>(decoded).check_type);
}

TEST(MessageV1, RoundTripsATlsCheck) {
  Measurement m = full_measurement();
  m.status_code.reset();
  m.check_type = "tls";
  m.tls_version = "TLSv1.3";
  m.tls_cipher = "TLS_AES_256_GCM_SHA384";
  m.chain_valid = false;
  m.chain_expires_at = WallTime(std::chrono::seconds(1'900'000'000));
  auto decoded = decode_message(encode_message(m));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

// The decoder takes each field on its own, so the encoder must write each one that is present:
// a field it dropped (a tls field without check_type, answers without an rcode) would be lost
// between a consumer's decode and any later encode. Found by fuzz_message_decode.
TEST(MessageV1, RoundTripsCheckFieldsInAnyCombination) {
  Measurement tls_fields_alone = full_measurement();
  tls_fields_alone.tls_version = "TLSv1.2";
  tls_fields_alone.chain_valid = true;
  Measurement answers_alone = full_measurement();
  answers_alone.check_type = "dns";
  answers_alone.dns_answers = {"192.0.2.1"};
  for (const Measurement& m : {tls_fields_alone, answers_alone}) {
    auto decoded = decode_message(encode_message(m));
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
    EXPECT_EQ(std::get<Measurement>(decoded), m);
  }
}

TEST(MessageV1, ACheckTypeOfTheWrongTypeIsPoison) {
  std::string json = encode_message(full_measurement());
  json.insert(json.size() - 1, ",\"check_type\":7");
  auto decoded = decode_message(json);
  ASSERT_TRUE(std::holds_alternative<Poison>(decoded));
  EXPECT_EQ(std::get<Poison>(decoded).reason, kPoisonWrongType);
}

TEST(MessageV1, TheAddressUsedRoundTripsAndIsAbsentWhenUnknown) {
  Measurement m = full_measurement();
  EXPECT_EQ(encode_message(m).find("\"address\""), std::string::npos);
  m.address = "::1";
  const std::string json = encode_message(m);
  EXPECT_NE(json.find("\"address\":\"::1\""), std::string::npos) << json;
  auto decoded = decode_message(json);
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded), m);
  std::string wrong = encode_message(full_measurement());
  wrong.insert(wrong.size() - 1, ",\"address\":false");
  auto poison = decode_message(wrong);
  ASSERT_TRUE(std::holds_alternative<Poison>(poison));
  EXPECT_EQ(std::get<Poison>(poison).reason, kPoisonWrongType);
}

TEST(MessageV1, IcmpMeasuresRoundTripAndAreAbsentFromOtherChecks) {
  Measurement m = full_measurement();
  const std::string http_json = encode_message(m);
  for (const char* field : {"rtt_min_us", "rtt_avg_us", "rtt_max_us", "loss_percent"}) {
    EXPECT_EQ(http_json.find(field), std::string::npos) << field;
  }
  m.check_type = "icmp";
  m.rtt_min_us = 40;
  m.rtt_avg_us = 55;
  m.rtt_max_us = 90;
  m.loss_percent = 34;
  const std::string json = encode_message(m);
  EXPECT_NE(json.find("\"loss_percent\":34"), std::string::npos) << json;
  auto decoded = decode_message(json);
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded), m);
  // A loss with no round trips (every request lost) is a message too.
  Measurement lost = full_measurement();
  lost.check_type = "icmp";
  lost.loss_percent = 100;
  auto lost_decoded = decode_message(encode_message(lost));
  ASSERT_TRUE(std::holds_alternative<Measurement>(lost_decoded));
  EXPECT_EQ(std::get<Measurement>(lost_decoded), lost);
}

TEST(MessageV1, IcmpMeasuresOutOfRangeArePoison) {
  for (const char* field : {",\"loss_percent\":101", ",\"loss_percent\":-1", ",\"rtt_avg_us\":-5",
                            ",\"rtt_max_us\":\"slow\""}) {
    std::string json = encode_message(full_measurement());
    json.insert(json.size() - 1, field);
    auto decoded = decode_message(json);
    ASSERT_TRUE(std::holds_alternative<Poison>(decoded)) << field;
    const std::string& reason = std::get<Poison>(decoded).reason;
    EXPECT_TRUE(reason == kPoisonOutOfRange || reason == kPoisonWrongType) << field << reason;
  }
}

TEST(MessageV1, TheLoopLagRoundTripsAndIsAbsentFromOlderProducers) {
  Measurement m = full_measurement();
  EXPECT_EQ(encode_message(m).find("loop_lag_us"), std::string::npos);
  m.loop_lag_us = 1250;
  const std::string json = encode_message(m);
  EXPECT_NE(json.find("\"loop_lag_us\":1250"), std::string::npos) << json;
  auto decoded = decode_message(json);
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded), m);
}

}  // namespace
}  // namespace hc
