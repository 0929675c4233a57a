// The 90-day bar: one path per run of days of one grade ending today, a tooltip per run.
#include "uptime_bar.h"

#include <gtest/gtest.h>

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

// Oldest on the left, one path per run of days of one grade, each kBarStep (3) units per day from
// its first day's x, so that the CSS dashes (2 drawn, 1 gap) fall on the days.
TEST(UptimeBar, OnePathPerRunOfAGradeEndingTodayWithATooltip) {
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
  EXPECT_EQ(count_of(svg, "<path "), 4u) << svg;
  EXPECT_EQ(count_of(svg, "<title>"), 4u);
  EXPECT_NE(svg.find(R"(<path class="good" d="M0 12h3"><title>2026-08-28: 100% up (10 checks))"
                     "</title></path>"
                     R"(<path class="none" d="M3 12h261"><title>2026-08-29 – 2026-11-23: no )"
                     "checks</title></path>"
                     R"(<path class="bad" d="M264 12h3"><title>2026-11-24: 50.00% up (1440 )"
                     "checks)</title></path>"
                     R"(<path class="good" d="M267 12h3"><title>2026-11-25: 100% up (1440 )"
                     "checks)</title></path></svg>"),
            std::string::npos)
      << svg;
  EXPECT_EQ(svg.find("2026-08-27"), std::string::npos);
  EXPECT_EQ(svg.find("2026-11-26"), std::string::npos);
}

// Consecutive days of one grade are one run: its tooltip gives the run's days, uptime and checks.
TEST(UptimeBar, ARunsTooltipSumsItsDays) {
  const std::string svg = uptime_bar_svg(
      {{at("2026-11-24T00:00:00Z"), {1000, 1000}}, {at("2026-11-25T00:00:00Z"), {1000, 999}}},
      at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(count_of(svg, "<path "), 2u) << svg;
  EXPECT_NE(svg.find(R"(<path class="good" d="M264 12h6"><title>2026-11-24 – 2026-11-25: 99.95% )"
                     "up (2000 checks)</title></path>"),
            std::string::npos)
      << svg;
}

TEST(UptimeBar, NoDataIsAllGrey) {
  const std::string svg = uptime_bar_svg({}, at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(count_of(svg, "<path "), 1u);
  EXPECT_NE(svg.find(R"(<path class="none" d="M0 12h270"><title>2026-08-28 – 2026-11-25: no )"
                     "checks</title></path>"),
            std::string::npos)
      << svg;
}

}  // namespace
}  // namespace hc::serve
