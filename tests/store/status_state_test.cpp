// A site's current state as the readers show it (issue 24 item 3): from the newest state-change
// event where an events table beside the measurements holds one, else from the newest
// measurement; the page's summary counts by the same rule; `hc status` lists a site that only
// the events table names. Rows are written through the sink (TableWriter), as the consumer does.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hc/common/url_digest.h"
#include "hc/store/status.h"
#include "hc/store/table_rows.h"
#include "hc/store/table_writer.h"
#include "hc/test/postgres_test.h"

namespace hc {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kStart = WallTime(seconds(1'767'225'600));  // 2026-01-01T00:00:00Z
const std::string kEventsDown = "https://events-say-down.test/";
const std::string kEventsUp = "https://events-say-up.test/";
const std::string kNoEvents = "https://no-events.test/";
const std::string kOnlyEvents = "https://only-events.test/";

Measurement healthy_check(const std::string& url, WallTime at) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = at;
  m.status_code = 200;
  m.response_time_us = 1000;
  m.healthy = true;
  return m;
}

EventRow event(const std::string& url, SiteStatus from, SiteStatus to, WallTime at) {
  EventRow row;
  row.url_digest = url_digest(url);
  row.event.url = url;
  row.event.from = from;
  row.event.to = to;
  row.event.at = at;
  row.event.producer = "host:1";
  return row;
}

class StatusStateTest : public test::PostgresTest<StatusStateTest> {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    writer_ = std::make_unique<TableWriter>(
        uri(), std::vector<TableSpec>{{"hc"}, {"hc_events", RouteKind::kEvents}});
    writer_->migrate();
    // Every site's newest measurement is healthy: a state other than up can only come from
    // the events.
    TableRows measurements;
    for (const std::string& url : {kEventsDown, kEventsUp, kNoEvents}) {
      measurements.add(healthy_check(url, kStart + minutes(1)));
      measurements.add(healthy_check(url, kStart + minutes(2)));
    }
    TableRows events;
    events.add(event(kEventsDown, SiteStatus::kUnknown, SiteStatus::kUp, kStart));
    events.add(event(kEventsDown, SiteStatus::kUp, SiteStatus::kDown, kStart + minutes(3)));
    events.add(event(kEventsUp, SiteStatus::kUnknown, SiteStatus::kUp, kStart + seconds(30)));
    events.add(event(kOnlyEvents, SiteStatus::kUnknown, SiteStatus::kDown, kStart + minutes(4)));
    writer_->write({&measurements, &events});
  }

  TopicSinkConfig route(const std::string& topic, const std::string& table,
                        RouteKind kind = RouteKind::kMeasurements) const {
    TopicSinkConfig route;
    route.source_topic = topic;
    route.connection_uri = uri();
    route.table_name = table;
    route.kind = kind;
    return route;
  }
  ConsumerConfig config() const {
    ConsumerConfig config;
    config.topics = {route("healthcheck", "hc"),
                     route("healthcheck.events", "hc_events", RouteKind::kEvents)};
    return config;
  }

  std::unique_ptr<TableWriter> writer_;
};

const SiteOverview* find(const Overview& overview, const std::string& url) {
  for (const auto& site : overview.sites) {
    if (site.url == url) return &site;
  }
  return nullptr;
}

TEST_F(StatusStateTest, TheOverviewTakesTheStateFromTheNewestEventElseTheNewestMeasurement) {
  const Overview overview = read_status_overview(config(), kStart + minutes(10), OverviewPage{});
  ASSERT_EQ(overview.sites.size(), 3u);

  const SiteOverview* down = find(overview, kEventsDown);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->state, "down");
  EXPECT_FALSE(down->up);
  EXPECT_EQ(down->state_source, StateSource::kEvents);
  EXPECT_EQ(down->state_since, kStart + minutes(3));

  const SiteOverview* up = find(overview, kEventsUp);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->state, "up");
  EXPECT_TRUE(up->up);
  EXPECT_EQ(up->state_source, StateSource::kEvents);
  EXPECT_EQ(up->state_since, kStart + seconds(30));

  const SiteOverview* measured = find(overview, kNoEvents);
  ASSERT_NE(measured, nullptr);
  EXPECT_EQ(measured->state, "up");
  EXPECT_EQ(measured->state_source, StateSource::kMeasurement);
  EXPECT_FALSE(measured->state_since);

  EXPECT_EQ(overview.total_sites, 3u);
  EXPECT_EQ(overview.up_sites, 2u) << "the summary counts by the same rule as each site";
}

TEST_F(StatusStateTest, WithoutAnEventsTableTheStateIsTheNewestMeasurements) {
  ConsumerConfig measurements_only;
  measurements_only.topics = {route("healthcheck", "hc")};
  const Overview overview =
      read_status_overview(measurements_only, kStart + minutes(10), OverviewPage{});
  ASSERT_EQ(overview.sites.size(), 3u);
  for (const auto& site : overview.sites) {
    EXPECT_EQ(site.state, "up") << site.url;
    EXPECT_EQ(site.state_source, StateSource::kMeasurement) << site.url;
  }
  EXPECT_EQ(overview.up_sites, 3u);
}

TEST_F(StatusStateTest, HcStatusListsASiteThatOnlyTheEventsTableNames) {
  const std::vector<SiteSummary> sites =
      read_site_status(config(), std::chrono::hours(24), kStart + minutes(10));
  ASSERT_EQ(sites.size(), 4u);
  EXPECT_EQ(sites[3].url, kOnlyEvents);
  EXPECT_EQ(sites[3].table, "hc_events");
  EXPECT_EQ(sites[3].state, "down");
  EXPECT_EQ(sites[3].state_since, kStart + minutes(4));
  EXPECT_FALSE(sites[3].last_checked_at);
  EXPECT_EQ(sites[3].checks, 0);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(sites[i].last_checked_at) << sites[i].url;

  const std::string json = render_status_json(sites);
  EXPECT_NE(json.find("\"last_checked_at\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"state_source\": \"events\""), std::string::npos) << json;
}

}  // namespace
}  // namespace hc
