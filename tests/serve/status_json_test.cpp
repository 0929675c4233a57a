// The JSON API's bodies: the documented shape, hostile strings kept as data, bad UTF-8
// replaced rather than failing the response.
#include "status_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }

TEST(StatusJson, OverviewHasTheDocumentedShape) {
  SiteOverview site;
  site.table = "checks";
  site.url = "https://a/\"<script>\xFF";
  site.up = false;
  site.state = "down";
  site.last_checked_at = at("2026-11-25T12:59:30Z");
  site.last_status_code = 500;
  site.last_error = "unexpected_status";
  site.last_failed_conditions = {"status"};
  site.uptime_24h = {10, 5};
  site.days = {{at("2026-11-25T00:00:00Z"), {10, 5}}};
  Overview overview;
  overview.total_sites = 1;
  overview.sites = {site};
  const auto body =
      nlohmann::json::parse(render_overview_json(overview, at("2026-11-25T13:00:00Z")));
  EXPECT_EQ(body["generated_at"], "2026-11-25T13:00:00.000000Z");
  EXPECT_EQ(body["total_sites"], 1);
  EXPECT_EQ(body["up_sites"], 0);
  EXPECT_EQ(body["down_sites"], 1);
  EXPECT_EQ(body["offset"], 0);
  EXPECT_EQ(body["limit"], 100);
  EXPECT_TRUE(body["next"].is_null());
  ASSERT_EQ(body["sites"].size(), 1u);
  const auto& out = body["sites"][0];
  EXPECT_EQ(out["url"], "https://a/\"<script>\xEF\xBF\xBD");
  EXPECT_EQ(out["state"], "down");
  EXPECT_TRUE(out["state_since"].is_null());
  EXPECT_EQ(out["state_source"], "measurement");
  EXPECT_EQ(out["last_status_code"], 500);
  EXPECT_EQ(out["last_failed_conditions"], nlohmann::json({"status"}));
  EXPECT_EQ(out["uptime"]["24h"]["uptime_percent"], 50.0);
  EXPECT_EQ(out["uptime"]["24h"]["checks"], 10);
  EXPECT_TRUE(out["uptime"]["7d"]["uptime_percent"].is_null());
  EXPECT_TRUE(out["cert_days_left"].is_null());
  EXPECT_TRUE(out["p95_response_us_24h"].is_null());
  ASSERT_EQ(out["days"].size(), 1u);
  EXPECT_EQ(out["days"][0]["day"], "2026-11-25");
  EXPECT_EQ(out["days"][0]["up_checks"], 5);
}

TEST(StatusJson, OverviewCountsEverySiteAndLinksTheNextPage) {
  SiteOverview site;
  site.table = "checks";
  site.url = "https://c/";
  site.up = true;
  site.state = "up";
  Overview overview;
  overview.total_sites = 5;
  overview.up_sites = 3;
  overview.page = {2, 2};
  overview.sites = {site, site};
  const WallTime now = at("2026-11-25T13:00:00Z");
  auto body = nlohmann::json::parse(render_overview_json(overview, now));
  EXPECT_EQ(body["total_sites"], 5);
  EXPECT_EQ(body["up_sites"], 3);
  EXPECT_EQ(body["down_sites"], 2);
  EXPECT_EQ(body["offset"], 2);
  EXPECT_EQ(body["limit"], 2);
  EXPECT_EQ(body["next"], "/api/v1/status?offset=4&limit=2");
  EXPECT_EQ(body["sites"].size(), 2u);

  overview.page.offset = 4;  // the last page
  overview.sites = {site};
  body = nlohmann::json::parse(render_overview_json(overview, now));
  EXPECT_TRUE(body["next"].is_null());

  overview.page.offset = 40;  // past the end: no sites, the totals still
  overview.sites.clear();
  body = nlohmann::json::parse(render_overview_json(overview, now));
  EXPECT_TRUE(body["next"].is_null());
  EXPECT_EQ(body["sites"], nlohmann::json::array());
  EXPECT_EQ(body["total_sites"], 5);
  EXPECT_EQ(body["offset"], 40);
}

TEST(StatusJson, HistoryHasTheDocumentedShape) {
  SiteHistory history{"checks", "https://a/", {{at("2026-11-25T10:00:00Z"), {60, 59}, 2500}}};
  HistoryQuery query{"https://a/", "", at("2026-11-25T00:00:00Z"), HistoryStep::kDay};
  const auto body = nlohmann::json::parse(render_history_json(history, query));
  EXPECT_EQ(body["step"], "day");
  EXPECT_EQ(body["since"], "2026-11-25T00:00:00.000000Z");
  EXPECT_EQ(body["table"], "checks");
  ASSERT_EQ(body["buckets"].size(), 1u);
  EXPECT_EQ(body["buckets"][0]["start"], "2026-11-25T10:00:00.000000Z");
  EXPECT_EQ(body["buckets"][0]["checks"], 60);
  EXPECT_EQ(body["buckets"][0]["p95_response_us"], 2500);
}

}  // namespace
}  // namespace hc::serve
