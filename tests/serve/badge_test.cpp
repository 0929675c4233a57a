// Badges: shields-style SVG, well-formed XML whatever the text, the colours of each state.
#include "badge.h"

#include <gtest/gtest.h>

#include "xml_check.h"

namespace hc::serve {
namespace {

SiteDetail detail_with(bool up, UptimeCount uptime_7d) {
  SiteDetail detail;
  detail.site.up = up;
  detail.site.state = detail.site.up ? "up" : "down";
  detail.site.uptime_7d = uptime_7d;
  detail.site.p95_response_us_24h = 123456;
  return detail;
}

TEST(Badge, IsWellFormedXmlWithItsTextsEscapedAndWidthsThatFollowThem) {
  const std::string svg = badge_svg("status", "up", kBadgeGreen);
  EXPECT_EQ(xml_error(svg), "");
  EXPECT_NE(svg.find(R"(fill="#4c1")"), std::string::npos);
  EXPECT_NE(svg.find("<title>status: up</title>"), std::string::npos);
  const std::string hostile = badge_svg("a<b>&\"'", "</text><script>x</script>\xff", kBadgeRed);
  EXPECT_EQ(xml_error(hostile), "") << hostile;
  EXPECT_EQ(hostile.find("<script"), std::string::npos);
  EXPECT_EQ(hostile.find("<b>"), std::string::npos);
  EXPECT_LT(badge_text_width("up"), badge_text_width("unknown"));
  EXPECT_EQ(badge_text_width("ii"), 8);   // two narrow glyphs of 4 px
  EXPECT_EQ(badge_text_width("MW"), 21);  // two wide ones of 10.5 px
}

TEST(Badge, StatusIsGreenRedOrGreyUnknown) {
  EXPECT_EQ(status_badge(detail_with(true, {})).message, "up");
  EXPECT_EQ(status_badge(detail_with(true, {})).color, kBadgeGreen);
  EXPECT_EQ(status_badge(detail_with(false, {})).color, kBadgeRed);
  EXPECT_EQ(status_badge(std::nullopt).message, "unknown");
  EXPECT_EQ(status_badge(std::nullopt).color, kBadgeGrey);
  // With an events table the newest event decides, not the last check.
  SiteDetail flapping = detail_with(true, {});
  flapping.state = "down";
  EXPECT_EQ(status_badge(flapping).message, "down");
  flapping.state = "unknown";
  EXPECT_EQ(status_badge(flapping).color, kBadgeGrey);
}

TEST(Badge, UptimeIsColouredByGradeAndResponseTimeIsTheP95) {
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {10000, 9995})).message, "99.95%");
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {10000, 9995})).color, kBadgeGreen);
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {1000, 995})).color, kBadgeYellowGreen);
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {100, 96})).color, kBadgeYellow);
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {100, 50})).color, kBadgeRed);
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {})).message, "no checks");
  EXPECT_EQ(uptime_badge("7d", detail_with(true, {})).label, "uptime 7d");
  EXPECT_EQ(uptime_badge("30d", std::nullopt).message, "unknown");
  EXPECT_EQ(response_time_badge("24h", detail_with(true, {})).message, "123 ms");
  EXPECT_EQ(response_time_badge("7d", detail_with(true, {})).message, "no checks");
  EXPECT_EQ(response_time_badge("7d", std::nullopt).color, kBadgeGrey);
}

}  // namespace
}  // namespace hc::serve
