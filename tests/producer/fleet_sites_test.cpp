// Fleet mode's site list from the records of the assigned partitions: assignment, revocation,
// changes, invalid values.
#include "fleet_sites.h"

#include <gtest/gtest.h>

namespace hc::producer {
namespace {

ProducerConfig fleet_config() {
  ProducerConfig producer;
  producer.sites_topic = "hc.sites";
  producer.site_defaults.destination_topic = "checks";
  return producer;
}

std::vector<std::string> urls(const std::vector<SiteConfig>& sites) {
  std::vector<std::string> list;
  list.reserve(sites.size());
  for (const SiteConfig& site : sites) list.push_back(site.url);
  return list;
}

constexpr const char* kA = "http://127.0.0.1/a";
constexpr const char* kB = "http://127.0.0.1/b";

TEST(FleetSites, OnlyAssignedPartitionsCount) {
  FleetSites sites(fleet_config());
  EXPECT_FALSE(sites.apply(0, 0, kA, "{}"));  // not assigned (yet): ignored
  sites.assign(0);
  EXPECT_TRUE(sites.apply(0, 0, kA, "{}"));
  EXPECT_FALSE(sites.apply(1, 0, kB, "{}"));
  EXPECT_EQ(urls(sites.sites()), std::vector<std::string>{kA});
}

TEST(FleetSites, RevokeDropsThePartitionsSitesAtOnce) {
  FleetSites sites(fleet_config());
  sites.assign(0);
  sites.assign(1);
  sites.apply(0, 0, kA, "{}");
  sites.apply(1, 0, kB, "{}");
  EXPECT_TRUE(sites.revoke(0));
  EXPECT_EQ(urls(sites.sites()), std::vector<std::string>{kB});
  EXPECT_FALSE(sites.revoke(0));
  // Assigned again later: read from the beginning, the same records bring the site back.
  sites.assign(0);
  EXPECT_TRUE(sites.apply(0, 0, kA, "{}"));
  EXPECT_EQ(sites.sites().size(), 2U);
}

TEST(FleetSites, ChangeTombstoneAndReAdd) {
  FleetSites sites(fleet_config());
  sites.assign(0);
  sites.apply(0, 0, kA, R"({"polling_interval_in_seconds":5})");
  EXPECT_TRUE(sites.apply(0, 1, kA, R"({"polling_interval_in_seconds":6})"));
  EXPECT_EQ(sites.sites().at(0).polling_interval, std::chrono::seconds(6));
  // The same settings spelled differently decode equal: nothing to re-plan.
  EXPECT_FALSE(sites.apply(0, 2, kA, R"({"polling_interval_in_seconds": 6})"));
  EXPECT_TRUE(sites.apply(0, 3, kA, std::nullopt));
  EXPECT_TRUE(sites.sites().empty());
  EXPECT_TRUE(sites.apply(0, 4, kA, "{}"));
  EXPECT_EQ(sites.sites().at(0).destination_topic, "checks");
}

TEST(FleetSites, InvalidValueIsLeftOutAndAValidOneBringsTheSiteBack) {
  FleetSites sites(fleet_config());
  sites.assign(2);
  sites.apply(2, 0, kA, "{}");
  EXPECT_TRUE(sites.apply(2, 1, kA, R"({"polling_interval_in_seconds":0})"));
  EXPECT_TRUE(sites.sites().empty());
  EXPECT_FALSE(sites.apply(2, 2, kB, "not json"));
  EXPECT_TRUE(sites.apply(2, 3, kA, R"({"regex":"ok"})"));
  EXPECT_EQ(urls(sites.sites()), std::vector<std::string>{kA});
}

TEST(FleetSites, EqualSettingsOfDecodedRecordsShareOneBlock) {
  FleetSites sites(fleet_config());
  sites.assign(0);
  sites.apply(0, 0, kA, R"({"regex": "ok", "headers": {"X-A": "1"}})");
  sites.apply(0, 1, kB, R"({"regex": "ok"})");
  const std::vector<SiteConfig> list = sites.sites();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0].regex->shares_block_with(*list[1].regex));
  EXPECT_TRUE(list[0].events_topic.shares_block_with(list[1].events_topic));
}

}  // namespace
}  // namespace hc::producer
