// A site's page: incidents from events, the response-time chart's geometry (hand-computed),
// hostile values inert, every SVG well-formed XML.
#include "site_page.h"

#include <gtest/gtest.h>

#include <regex>

#include "hc/common/message.h"
#include "hc/common/url_digest.h"
#include "response_chart.h"
#include "xml_check.h"

namespace hc::serve {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

WallTime at(const char* text) { return *parse_timestamp(text); }

SiteEvent event(const char* time, const char* from, const char* to, const char* error = nullptr) {
  SiteEvent e;
  e.at = at(time);
  e.from_state = from;
  e.to_state = to;
  if (error != nullptr) {
    e.error = error;
    e.failed_conditions = {"status"};
    e.status_code = 500;
  }
  return e;
}

TEST(Incidents, EachDownSpanIsOneIncidentWithItsCauseAndOnlyThoseOverlappingTheWindowCount) {
  const std::vector<SiteEvent> events = {
      event("2026-11-24T01:00:00Z", "unknown", "up"),
      event("2026-11-24T02:00:00Z", "up", "down", "timeout"),  // ends before the window
      event("2026-11-24T03:00:00Z", "down", "up"),
      event("2026-11-24T09:30:00Z", "up", "down", "unexpected_status"),  // begins before it
      event("2026-11-24T10:15:00Z", "down", "up"),
      event("2026-11-24T11:00:00Z", "up", "down", "connect"),  // ongoing
  };
  const auto incidents =
      incidents_in(events, at("2026-11-24T10:00:00Z"), at("2026-11-24T12:00:00Z"));
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_EQ(incidents[0].start, at("2026-11-24T09:30:00Z"));
  EXPECT_EQ(incidents[0].end, at("2026-11-24T10:15:00Z"));
  EXPECT_EQ(incidents[0].error, "unexpected_status");
  EXPECT_EQ(incidents[0].failed_conditions, std::vector<std::string>{"status"});
  EXPECT_EQ(incidents[0].status_code, 500);
  EXPECT_EQ(incidents[1].start, at("2026-11-24T11:00:00Z"));
  EXPECT_FALSE(incidents[1].end);
  // Downtime inside the window: 15 min of the first, 60 min of the ongoing one.
  EXPECT_EQ(downtime_within(incidents[0], at("2026-11-24T10:00:00Z"), at("2026-11-24T12:00:00Z")),
            minutes(15));
  EXPECT_EQ(downtime_within(incidents[1], at("2026-11-24T10:00:00Z"), at("2026-11-24T12:00:00Z")),
            minutes(60));
}

TEST(Incidents, AChangeToUnknownEndsAnIncidentAndARepeatedDownDoesNotStartAnother) {
  const std::vector<SiteEvent> events = {
      event("2026-11-24T02:00:00Z", "up", "down", "timeout"),
      event("2026-11-24T02:30:00Z", "unknown", "down", "dns"),  // e.g. after a producer restart
      event("2026-11-24T03:00:00Z", "down", "unknown"),
  };
  const auto incidents =
      incidents_in(events, at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"));
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].end, at("2026-11-24T03:00:00Z"));
  EXPECT_EQ(incidents[0].error, "timeout");
}

TEST(ResponseChart, CeilingIsTheNextOneTwoOrFive) {
  EXPECT_EQ(chart_ceiling_ms(0), 1);
  EXPECT_EQ(chart_ceiling_ms(0.7), 1);
  EXPECT_EQ(chart_ceiling_ms(40), 50);
  EXPECT_EQ(chart_ceiling_ms(50), 50);
  EXPECT_EQ(chart_ceiling_ms(51), 100);
  EXPECT_EQ(chart_ceiling_ms(120), 200);
  EXPECT_EQ(chart_ceiling_ms(3000), 5000);
}

// Four hours, hourly: points at each bucket's middle, a gap breaks the line, an isolated
// bucket is a dot, an incident of 30 min is shaded over its span.
TEST(ResponseChart, PointsGapsAndDowntimeWhereHandComputed) {
  const SiteWindow window{at("2026-11-24T00:00:00Z"), at("2026-11-24T04:00:00Z"),
                          HistoryStep::kHour};
  const std::vector<SiteBucket> buckets = {
      {at("2026-11-24T00:00:00Z"), {60, 60}, 10000, 20000},
      {at("2026-11-24T01:00:00Z"), {60, 60}, 20000, 40000},
      {at("2026-11-24T03:00:00Z"), {60, 30}, 5000, 10000},
  };
  Incident incident;
  incident.start = at("2026-11-24T02:00:00Z");
  incident.end = at("2026-11-24T02:30:00Z");
  const std::string svg = response_time_chart_svg(window, buckets, {incident});
  // x = 12 + 936 * t / 4 h; y = 248 - 224 * ms / 50 (the ceiling above 40 ms).
  EXPECT_NE(svg.find(R"(d="M129.0 158.4 L363.0 68.8 M831.0 203.2 h0.1")"), std::string::npos)
      << svg;
  EXPECT_NE(svg.find(R"(d="M129.0 203.2 L363.0 158.4 M831.0 225.6 h0.1")"), std::string::npos)
      << svg;
  EXPECT_NE(svg.find(R"(<rect class="down" fill="#f8d0cb" x="480.0" y="24" width="117.0")"),
            std::string::npos)
      << svg;
  // The bucket with failed checks (03:00) is shaded lighter over its hour.
  EXPECT_NE(svg.find(R"(<rect class="failing" fill="#fcefd9" x="714.0" y="24" width="234.0")"),
            std::string::npos)
      << svg;
  // Gridlines at 0, 12.5, 25, 37.5 and 50 ms; hour ticks labelled in UTC.
  EXPECT_NE(svg.find(">50 ms</text>"), std::string::npos);
  EXPECT_NE(svg.find(">12.5 ms</text>"), std::string::npos);
  EXPECT_NE(svg.find(">02:00</text>"), std::string::npos);
  EXPECT_NE(svg.find(">11-24</text>"), std::string::npos);  // midnight shows the date
  EXPECT_NE(svg.find(">UTC</text>"), std::string::npos);
  EXPECT_NE(svg.find(R"(viewBox="0 0 960 280")"), std::string::npos);
  EXPECT_EQ(xml_error(svg), "");
}

TEST(ResponseChart, AWindowWithoutResponseTimesSaysSo) {
  const SiteWindow window{at("2026-11-01T00:00:00Z"), at("2026-11-30T00:00:00Z"),
                          HistoryStep::kDay};
  const std::string svg = response_time_chart_svg(window, {}, {});
  EXPECT_NE(svg.find("no response times in this window"), std::string::npos);
  EXPECT_EQ(svg.find("<path"), std::string::npos);
  // 29 days: a tick every 7 days at most 8 ticks, labelled with dates.
  EXPECT_NE(svg.find(">11-"), std::string::npos);
  EXPECT_EQ(xml_error(svg), "");
}

SiteDetail hostile_detail() {
  SiteDetail detail;
  const std::string url = "https://h/?q=<script>alert(1)</script>&x=\"'";
  detail.site.table = "checks<b>";
  detail.site.url = url;
  detail.site.url_digest = url_digest(url);
  detail.site.up = false;
  detail.site.state = "down";
  detail.site.last_checked_at = at("2026-11-25T11:59:00Z");
  detail.site.last_error = "<img src=x onerror=alert(1)>";
  detail.site.last_failed_conditions = {"status", "<svg onload=alert(1)>"};
  detail.site.uptime_24h = {100, 90};
  detail.site.cert_days_left = 3.2;
  detail.state = "down";
  detail.state_since = at("2026-11-25T11:00:00Z");
  detail.has_events_table = true;
  detail.window = {at("2026-11-25T00:00:00Z"), at("2026-11-25T12:00:00Z"), HistoryStep::kHour};
  detail.buckets = {{at("2026-11-25T10:00:00Z"), {60, 60}, 1000, 3000},
                    {at("2026-11-25T11:00:00Z"), {60, 0}, std::nullopt, std::nullopt}};
  detail.window_count = {120, 60};
  detail.window_p50_us = 1000;
  detail.window_p95_us = 3000;
  Incident earlier;
  earlier.start = at("2026-11-25T02:00:00Z");
  earlier.end = at("2026-11-25T02:20:00Z");
  earlier.error = "timeout";
  Incident ongoing;
  ongoing.start = at("2026-11-25T11:00:00Z");
  ongoing.error = "unexpected_status";
  ongoing.error_detail = "</td><script>alert(2)</script>";
  ongoing.status_code = 500;
  ongoing.failed_conditions = {"status"};
  detail.incidents = {earlier, ongoing};
  return detail;
}

TEST(SitePage, CardsChartAndIncidentsWithEveryHostileValueEscaped) {
  const SiteDetail detail = hostile_detail();
  SiteQuery query;
  query.site = detail.site.url_digest;
  query.window = detail.window;
  const std::string html = render_site_page(detail, query, at("2026-11-25T12:00:00Z"));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg onload"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // Links name the site by its digest only: the URL's query is in no href.
  const std::regex href(R"re(href="([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator();
       ++it) {
    const std::string target = (*it)[1];
    if (target.starts_with("https://h/")) continue;  // the site's own link, escaped
    EXPECT_EQ(target.find("alert"), std::string::npos) << target;
  }
  EXPECT_NE(html.find("/sites/" + detail.site.url_digest + "?since=30d"), std::string::npos);
  EXPECT_NE(html.find("/badges/" + detail.site.url_digest + "/status.svg"), std::string::npos);
  // Cards.
  EXPECT_NE(html.find(R"(<strong class="value down">down</strong>)"), std::string::npos);
  EXPECT_NE(html.find("since <time"), std::string::npos);
  EXPECT_NE(html.find(">50.00%</strong>"), std::string::npos);  // the window: 60 of 120
  EXPECT_NE(html.find("1.0 ms / 3.0 ms"), std::string::npos);
  EXPECT_NE(
      html.find(R"(<strong class="value down">2</strong><span class="detail">downtime 1 h 20 min)"),
      std::string::npos)
      << html;
  EXPECT_NE(html.find(">3 d</strong>"), std::string::npos);
  // Incidents newest first; the ongoing one lasts until now.
  const auto ongoing = html.find("ongoing</strong>");
  const auto earlier = html.find("20 min</td>");
  ASSERT_NE(ongoing, std::string::npos);
  ASSERT_NE(earlier, std::string::npos);
  EXPECT_LT(ongoing, earlier);
  EXPECT_NE(html.find("<td class=\"num\">1 h</td>"), std::string::npos);
  EXPECT_NE(
      html.find("unexpected_status: &lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt; · HTTP 500"),
      std::string::npos);
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(SitePage, WithoutAnEventsTableSaysWhereIncidentsComeFrom) {
  SiteDetail detail = hostile_detail();
  detail.has_events_table = false;
  detail.state.reset();
  detail.state_since.reset();
  detail.incidents.clear();
  const std::string html = render_site_page(detail, SiteQuery{}, at("2026-11-25T12:00:00Z"));
  EXPECT_NE(html.find("no events table"), std::string::npos);
  EXPECT_NE(html.find("by the last check"), std::string::npos);
}

TEST(SitePage, MaintenanceNowAndUpcomingWithTheCommentEscaped) {
  const SiteDetail detail = hostile_detail();
  const auto seconds_at = [](const char* text) {
    return std::chrono::floor<std::chrono::seconds>(at(text));
  };
  const std::vector<SilenceNotice> maintenance = {
      SilenceNotice{SilencePeriod{"0123abcd", seconds_at("2026-11-25T11:30:00Z"),
                                  seconds_at("2026-11-25T13:00:00Z")},
                    true, "<script>alert(3)</script> upgrade", "ops & <i>co</i>"},
      SilenceNotice{SilencePeriod{"nightly", seconds_at("2026-11-26T03:00:00Z"), std::nullopt},
                    false, "", ""}};
  const std::string html =
      render_site_page(detail, SiteQuery{}, at("2026-11-25T12:00:00Z"), maintenance);
  EXPECT_NE(html.find("<section class=\"box maintenance\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<li class=\"now\"><strong>Now</strong> until 2026-11-25 13:00:00 UTC — "
                      "&lt;script&gt;alert(3)&lt;/script&gt; upgrade (by ops &amp; "
                      "&lt;i&gt;co&lt;/i&gt;) <small>(runtime silence 0123abcd)</small></li>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<li class=\"upcoming\"><strong>Upcoming</strong> from 2026-11-26 "
                      "03:00:00 UTC — planned maintenance <small>(config silence nightly)"
                      "</small></li>"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  // Without notices, no section.
  EXPECT_EQ(render_site_page(detail, SiteQuery{}, at("2026-11-25T12:00:00Z"))
                .find("class=\"box maintenance\""),
            std::string::npos);
}

}  // namespace
}  // namespace hc::serve
