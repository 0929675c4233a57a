// A runtime silence as the API receives it and as the silences topic stores it: one
// validation, every refusal naming its field.
#include "hc/common/silence_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hc {
namespace {

using std::chrono::hours;
using std::chrono::sys_seconds;
using ::testing::HasSubstr;

// 2026-12-04T12:00:00Z
const sys_seconds kNow{std::chrono::seconds(1'796'385'600)};
const std::string kId = "0123456789abcdef0123456789abcdef";

std::vector<std::string> fields_of(const SilenceParse& parsed) {
  std::vector<std::string> fields;
  for (const FieldError& error : parsed.errors) fields.push_back(error.field);
  return fields;
}

std::string errors_of(const SilenceParse& parsed) {
  std::string text;
  for (const FieldError& error : parsed.errors) text += error.field + ": " + error.message + "\n";
  return text;
}

TEST(SilenceRequest, DurationStartsNowAndTheRecordRoundTrips) {
  const SilenceParse parsed = parse_silence_request(
      R"({"url_regex":"^https://shop\\.test/","duration":"2h","comment":"db upgrade",
          "created_by":"ops"})",
      kId, kNow);
  ASSERT_TRUE(parsed.silence) << errors_of(parsed);
  const RuntimeSilence& silence = *parsed.silence;
  EXPECT_EQ(silence.id, kId);
  EXPECT_EQ(silence.url_regex, R"(^https://shop\.test/)");
  EXPECT_EQ(silence.starts_at, kNow);
  EXPECT_EQ(silence.ends_at, kNow + hours(2));
  EXPECT_EQ(silence.created_at, kNow);

  const std::string value = encode_silence_json(silence);
  EXPECT_THAT(value, HasSubstr(R"("ends_at":"2026-12-04T14:00:00Z")"));
  const SilenceParse decoded = decode_silence_record(kId, value);
  ASSERT_TRUE(decoded.silence) << errors_of(decoded);
  EXPECT_EQ(*decoded.silence, silence);

  const NotifySilence applied = to_notify_silence(silence);
  EXPECT_EQ(applied.name, kId);
  EXPECT_EQ(applied.starts_at, silence.starts_at);
  EXPECT_EQ(applied.ends_at, silence.ends_at);
  EXPECT_EQ(applied.window_start_minute, -1);
}

TEST(SilenceRequest, ExplicitRangeIsKept) {
  const SilenceParse parsed = parse_silence_request(
      R"({"url_regex":".*","starts_at":"2026-12-05T01:00:00Z","ends_at":"2026-12-05T03:00:00Z",
          "comment":"window","created_by":"ops"})",
      kId, kNow);
  ASSERT_TRUE(parsed.silence) << errors_of(parsed);
  EXPECT_EQ(parsed.silence->starts_at, kNow + hours(13));
  EXPECT_EQ(parsed.silence->ends_at, kNow + hours(15));
}

TEST(SilenceRequest, EachRefusalNamesItsField) {
  struct Case {
    const char* body;
    std::vector<std::string> fields;
    const char* words;
  };
  const std::vector<Case> cases = {
      {R"({"url_regex":"(","duration":"1h","comment":"c","created_by":"o"})",
       {"url_regex"},
       "does not compile under RE2"},
      {R"({"duration":"1h","comment":"c","created_by":"o"})", {"url_regex"}, "required"},
      {R"({"url_regex":".*","starts_at":"2026-12-05T03:00:00Z","ends_at":"2026-12-05T01:00:00Z",
           "comment":"c","created_by":"o"})",
       {"ends_at"},
       "must end after it starts"},
      {R"({"url_regex":".*","ends_at":"2026-12-04T11:00:00Z","comment":"c","created_by":"o"})",
       {"ends_at"},
       "already be over"},
      {R"({"url_regex":".*","ends_at":"tomorrow","comment":"c","created_by":"o"})",
       {"ends_at"},
       "RFC 3339"},
      {R"({"url_regex":".*","comment":"c","created_by":"o"})", {"ends_at"}, "or duration"},
      {R"({"url_regex":".*","duration":"1h","ends_at":"2026-12-05T01:00:00Z","comment":"c",
           "created_by":"o"})",
       {"duration"},
       "not both"},
      {R"({"url_regex":".*","duration":"soon","comment":"c","created_by":"o"})",
       {"duration"},
       "90s, 30m"},
      {R"({"url_regex":".*","duration":"1h","created_by":"o"})", {"comment"}, "required"},
      {R"({"url_regex":".*","duration":"1h","comment":"","created_by":"o"})",
       {"comment"},
       "1 to 1024"},
      {R"({"url_regex":".*","duration":"1h","comment":"c","created_by":5})",
       {"created_by"},
       "expected a string"},
      {R"({"url_regex":".*","duration":"1h","comment":"c","created_by":"o","who":"x"})",
       {"who"},
       "unknown key"},
      {R"([1, 2])", {""}, "expected a JSON object"},
      {R"({"url_regex":)", {""}, "not valid JSON"},
      {R"({"a":[[[[[[]]]]]]})", {""}, "flat JSON object"},
  };
  for (const Case& c : cases) {
    const SilenceParse parsed = parse_silence_request(c.body, kId, kNow);
    EXPECT_FALSE(parsed.silence) << c.body;
    EXPECT_EQ(fields_of(parsed), c.fields) << c.body << "\n" << errors_of(parsed);
    EXPECT_THAT(errors_of(parsed), HasSubstr(c.words)) << c.body;
  }
}

TEST(SilenceRecord, AnEndedSilenceStillDecodesButAnotherKeyDoesNot) {
  RuntimeSilence silence{kId,   ".*",  kNow - hours(3), kNow - hours(2),
                         "old", "ops", kNow - hours(4)};
  const std::string value = encode_silence_json(silence);
  EXPECT_TRUE(decode_silence_record(kId, value).silence);
  const SilenceParse other = decode_silence_record("ffff", value);
  EXPECT_FALSE(other.silence);
  EXPECT_EQ(fields_of(other), std::vector<std::string>{"id"});
}

}  // namespace
}  // namespace hc
