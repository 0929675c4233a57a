// The periods a silence holds for a site, as hc serve shows them (silences.h): an absolute
// range, a weekly window in a time zone (across a DST change, across midnight), both at once,
// and the book's notices (silence_book.h) with a runtime silence's comment.
#include "hc/common/silences.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hc/common/message.h"
#include "hc/common/silence_book.h"

namespace hc {
namespace {

using std::chrono::sys_seconds;

sys_seconds at(const char* text) {
  return std::chrono::floor<std::chrono::seconds>(*parse_timestamp(text));
}

NotifySilence weekly(std::string name, std::vector<int> weekdays, int start_minute, int end_minute,
                     std::string zone) {
  NotifySilence silence;
  silence.name = std::move(name);
  silence.url_regex = "shop";
  silence.weekdays = std::move(weekdays);
  silence.window_start_minute = start_minute;
  silence.window_end_minute = end_minute;
  silence.time_zone = std::move(zone);
  return silence;
}

std::string text_of(const std::vector<SilencePeriod>& periods) {
  std::string out;
  for (const SilencePeriod& period : periods) {
    out += period.name + " " +
           (period.starts_at ? format_timestamp(*period.starts_at).substr(0, 16) : "-") + " " +
           (period.ends_at ? format_timestamp(*period.ends_at).substr(0, 16) : "-") + "\n";
  }
  return out;
}

TEST(SilencePeriods, AnAbsoluteRangeIsOnePeriodOnlyForTheUrlsItMatches) {
  NotifySilence range;
  range.name = "upgrade";
  range.url_regex = "^https://shop\\.test/";
  range.starts_at = at("2026-12-06T22:00:00Z");
  range.ends_at = at("2026-12-07T02:00:00Z");
  NotifySilence open_ended;
  open_ended.name = "retired";
  open_ended.url_regex = "shop";
  const std::vector<NotifySilence> silences = {range, open_ended};
  const Silences matcher(silences);
  EXPECT_EQ(text_of(matcher.periods("https://shop.test/cart", at("2026-12-05T00:00:00Z"),
                                    at("2026-12-12T00:00:00Z"))),
            "retired - -\n"
            "upgrade 2026-12-06T22:00 2026-12-07T02:00\n");
  EXPECT_EQ(text_of(matcher.periods("https://blog.test/", at("2026-12-05T00:00:00Z"),
                                    at("2026-12-12T00:00:00Z"))),
            "");
  // Over before the span, or starting after it: nothing.
  EXPECT_EQ(text_of(matcher.periods("https://shop.test/", at("2026-12-07T02:00:00Z"),
                                    at("2026-12-08T00:00:00Z"))),
            "retired - -\n");
  EXPECT_EQ(text_of(matcher.periods("https://shop.test/", at("2026-12-01T00:00:00Z"),
                                    at("2026-12-06T22:00:00Z"))),
            "retired - -\n");
}

TEST(SilencePeriods, AWeeklyWindowFollowsItsZoneAcrossTheDstChange) {
  // Sundays 02:00-04:00 in Berlin: CEST (UTC+2) until 2026-10-25 03:00, CET (UTC+1) after.
  const std::vector<NotifySilence> silences = {weekly("sunday", {0}, 120, 240, "Europe/Berlin")};
  const Silences matcher(silences);
  EXPECT_EQ(text_of(matcher.periods("https://shop.test/", at("2026-10-17T00:00:00Z"),
                                    at("2026-11-02T00:00:00Z"))),
            "sunday 2026-10-18T00:00 2026-10-18T02:00\n"
            "sunday 2026-10-25T00:00 2026-10-25T03:00\n"  // 02:00 CEST .. 04:00 CET
            "sunday 2026-11-01T01:00 2026-11-01T03:00\n");
  // Each period is exactly where silenced_by holds.
  StateEvent event;
  event.url = "https://shop.test/";
  for (const char* inside :
       {"2026-10-18T00:00:00Z", "2026-10-25T02:59:59Z", "2026-11-01T01:00:00Z"}) {
    event.at = *parse_timestamp(inside);
    EXPECT_TRUE(matcher.silenced_by(event)) << inside;
  }
  for (const char* outside :
       {"2026-10-17T23:59:59Z", "2026-10-25T03:00:00Z", "2026-11-01T03:00:00Z"}) {
    event.at = *parse_timestamp(outside);
    EXPECT_FALSE(matcher.silenced_by(event)) << outside;
  }
}

TEST(SilencePeriods, AWindowAcrossMidnightBelongsToTheDayItStartsAndIsClippedByItsRange) {
  // Fridays 22:00-02:00 UTC, only from 2026-12-04 23:00.
  NotifySilence night = weekly("night", {5}, 22 * 60, 2 * 60, "UTC");
  night.starts_at = at("2026-12-04T23:00:00Z");
  const std::vector<NotifySilence> silences = {night};
  const Silences matcher(silences);
  // From Saturday 01:00: the window that started on Friday still holds (clipped by starts_at).
  EXPECT_EQ(text_of(matcher.periods("https://shop.test/", at("2026-12-05T01:00:00Z"),
                                    at("2026-12-12T00:00:00Z"))),
            "night 2026-12-04T23:00 2026-12-05T02:00\n"
            "night 2026-12-11T22:00 2026-12-12T02:00\n");
}

TEST(SilenceBook, NoticesCarryARuntimeSilencesCommentAfterTheConfigs) {
  NotifySilence configured;
  configured.name = "planned";
  configured.url_regex = "shop";
  configured.starts_at = at("2026-12-06T00:00:00Z");
  configured.ends_at = at("2026-12-06T01:00:00Z");
  const std::vector<NotifySilence> silences = {configured};
  SilenceBook book(silences);
  RuntimeSilence runtime;
  runtime.id = "0123456789abcdef0123456789abcdef";
  runtime.url_regex = "shop";
  runtime.starts_at = at("2026-12-05T10:00:00Z");
  runtime.ends_at = at("2026-12-05T12:00:00Z");
  runtime.comment = "<b>db</b> upgrade";
  runtime.created_by = "ops";
  book.replace_runtime({runtime});
  const auto notices =
      book.covering("https://shop.test/", at("2026-12-05T11:00:00Z"), at("2026-12-12T11:00:00Z"));
  ASSERT_EQ(notices.size(), 2U);
  EXPECT_FALSE(notices[0].runtime);
  EXPECT_EQ(notices[0].period.name, "planned");
  EXPECT_TRUE(notices[1].runtime);
  EXPECT_EQ(notices[1].period.name, runtime.id);
  EXPECT_EQ(notices[1].comment, "<b>db</b> upgrade");
  EXPECT_EQ(notices[1].created_by, "ops");
  EXPECT_EQ(notices[1].period.ends_at, runtime.ends_at);
  book.replace_runtime({});
  EXPECT_EQ(
      book.covering("https://shop.test/", at("2026-12-05T11:00:00Z"), at("2026-12-12T11:00:00Z"))
          .size(),
      1U);
}

}  // namespace
}  // namespace hc
