// The 90-day bar: one rect per day ending today, coloured by grade, a tooltip per day.
#include "uptime_bar.h"

#include <gtest/gtest.h>

#include <regex>

#include "hc/common/message.h"

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(UptimeBar, GradesFollowTheThresholds) {
  EXPECT_EQ(uptime_grade({0, 0}), "none");
  EXPECT_EQ(uptime_grade({1000, 1000}), "good");
  EXPECT_EQ(uptime_grade({1000, 999}), "good");  // 99.9 %
  EXPECT_EQ(uptime_grade({1000, 998}), "fair");
  EXPECT_EQ(uptime_grade({100, 99}), "fair");
  EXPECT_EQ(uptime_grade({100, 98}), "poor");
  EXPECT_EQ(uptime_grade({100, 95}), "poor");
  EXPECT_EQ(uptime_grade({100, 94}), "bad");
}

TEST(UptimeBar, PercentNeverRoundsUpToAHundred) {
  EXPECT_EQ(percent_text(100.0), "100%");
  EXPECT_EQ(percent_text(99.999), "99.99%");
  EXPECT_EQ(percent_text(0.0), "0.00%");
  EXPECT_EQ(percent_text(50.0), "50.00%");
}

TEST(UptimeBar, OneRectPerDayEndingTodayWithATooltip) {
  const WallTime now = at("2026-11-25T13:00:00Z");
  const std::vector<DailyUptime> days = {
      {at("2026-11-25T00:00:00Z"), {1440, 1440}}, {at("2026-11-24T00:00:00Z"), {1440, 720}},
      {at("2026-08-28T00:00:00Z"), {10, 10}},  // the first day of the 90
      {at("2026-08-27T00:00:00Z"), {10, 0}},   // one before: not shown
      {at("2026-11-26T00:00:00Z"), {10, 0}},   // tomorrow: not shown
  };
  const std::string svg = uptime_bar_svg(days, now);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u) << svg;
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_EQ(count_of(svg, "<rect "), 90u);
  EXPECT_EQ(count_of(svg, "<title>"), 90u);
  EXPECT_EQ(count_of(svg, "class=\"good\""), 2u);
  EXPECT_EQ(count_of(svg, "class=\"bad\""), 1u);
  EXPECT_EQ(count_of(svg, "class=\"none\""), 87u);
  EXPECT_NE(svg.find("<title>2026-11-25: 100% up (1440 checks)</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>2026-11-24: 50.00% up (1440 checks)</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>2026-11-23: no checks</title>"), std::string::npos);
  // Oldest on the left: the first rect is 2026-08-28, the last today.
  const std::regex first_rect(R"(<rect class="good" x="0" [^>]*><title>2026-08-28:)");
  EXPECT_TRUE(std::regex_search(svg, first_rect)) << svg.substr(0, 400);
  EXPECT_NE(svg.rfind("<title>2026-11-25"), std::string::npos);
  EXPECT_GT(svg.rfind("<title>2026-11-25"), svg.rfind("<title>2026-11-24"));
  EXPECT_EQ(svg.find("2026-08-27"), std::string::npos);
  EXPECT_EQ(svg.find("2026-11-26"), std::string::npos);
}

TEST(UptimeBar, NoDataIsAllGrey) {
  const std::string svg = uptime_bar_svg({}, at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(count_of(svg, "class=\"none\""), 90u);
}

}  // namespace
}  // namespace hc::serve
