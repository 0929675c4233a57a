// `hc status`'s rendering of the state columns: present only when some site has a state (the
// config has an events route), "-" for a site without a since; the TYPE column only when some
// site's check is not http.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hc/store/status.h"

namespace hc {
namespace {

SiteSummary site(const std::string& url) {
  SiteSummary status;
  status.table = "healthcheck";
  status.url = url;
  status.last_status_code = 200;
  status.last_checked_at = WallTime(std::chrono::seconds(1'795'000'000));
  status.checks = 1;
  status.uptime_percent = 100;
  return status;
}

TEST(StatusRender, WithoutAnEventsRouteThereIsNoStateColumnAndJsonSaysNull) {
  const std::vector<SiteSummary> sites = {site("https://a/")};
  EXPECT_EQ(render_status_table(sites).find("STATE"), std::string::npos);
  EXPECT_NE(render_status_json(sites).find("\"state\": null"), std::string::npos);
}

TEST(StatusRender, TheStateAndItsSinceFollowTheStatusColumn) {
  std::vector<SiteSummary> sites = {site("https://a/"), site("https://b/")};
  sites[0].state = "down";
  sites[0].state_since = WallTime(std::chrono::seconds(1'794'999'000));
  sites[1].state = "unknown";
  const std::string table = render_status_table(sites);
  EXPECT_NE(table.find("SITE        STATUS  STATE    STATE SINCE (UTC)    LAST CHECK (UTC)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("https://a/  200     down     2026-11-18 10:50:00  2026-11-18 11:06:40"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("https://b/  200     unknown  -                    2026-11-18 11:06:40"),
            std::string::npos)
      << table;
  const std::string json = render_status_json(sites);
  EXPECT_NE(json.find("\"state_since\": \"2026-11-18T10:50:00.000000Z\""), std::string::npos)
      << json;
}

TEST(StatusRender, OnlyAFleetWithAChecksOtherThanHttpHasATypeColumn) {
  std::vector<SiteSummary> sites = {site("https://a/")};
  EXPECT_EQ(render_status_table(sites).find("TYPE"), std::string::npos);
  EXPECT_NE(render_status_json(sites).find("\"check_type\": \"http\""), std::string::npos);

  sites.push_back(site("tcp://db.test:5432"));
  sites.back().check_type = "tcp";
  sites.back().last_status_code.reset();
  const std::string table = render_status_table(sites);
  EXPECT_NE(table.find("SITE                TYPE  STATUS  LAST CHECK (UTC)"), std::string::npos)
      << table;
  EXPECT_NE(table.find("https://a/          http  200"), std::string::npos) << table;
  EXPECT_NE(table.find("tcp://db.test:5432  tcp   -"), std::string::npos) << table;
  EXPECT_NE(render_status_json(sites).find("\"check_type\": \"tcp\""), std::string::npos);
}

}  // namespace
}  // namespace hc
