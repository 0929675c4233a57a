#include "site_plan.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "check_measurement.h"
#include "hc/common/url_digest.h"

namespace hc::producer {
namespace {

std::vector<SiteConfig> sites(int count) {
  std::vector<SiteConfig> list;
  for (int i = 0; i < count; ++i) {
    SiteConfig site;
    site.url = "http://127.0.0.1/?i=" + std::to_string(i);
    site.destination_topic = "healthcheck";
    list.push_back(site);
  }
  return list;
}

TEST(SitePlan, ShardsSplitTheSitesWithoutOverlap) {
  const auto all = sites(3000);
  std::set<std::string> seen;
  for (int index = 0; index < 3; ++index) {
    SitePlans shard = build_site_plans(all, ShardSpec{index, 3});
    EXPECT_GT(shard.plans.size(), 800u) << "shard " << index << " is unbalanced";
    EXPECT_LT(shard.plans.size(), 1200u) << "shard " << index << " is unbalanced";
    for (const auto& plan : shard.plans) {
      EXPECT_TRUE(seen.insert(plan->config.url).second) << plan->config.url << " in two shards";
    }
  }
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_EQ(build_site_plans(all, std::nullopt).plans.size(), all.size());
}

// Each check loop gets a balanced share of its shard, every site exactly once, with its
// schedule entry beside it; and a URL's loop does not depend on the other sites.
TEST(SitePlan, LoopSharesOfAShardCoverItOnceAndEvenly) {
  const auto all = sites(4000);
  SitePlans shard = build_site_plans(all, ShardSpec{1, 2});
  const std::size_t shard_size = shard.plans.size();
  std::vector<SitePlans> shares = split_site_plans(std::move(shard), 2);
  ASSERT_EQ(shares.size(), 2u);
  std::set<std::string> seen;
  for (const SitePlans& share : shares) {
    EXPECT_GT(share.plans.size(), shard_size * 4 / 10) << "a share of the shard is unbalanced";
    ASSERT_EQ(share.schedule.size(), share.plans.size());
    for (std::size_t i = 0; i < share.plans.size(); ++i) {
      const std::string& url = share.plans[i]->config.url;
      EXPECT_EQ(share.schedule[i].key, url + "\nhealthcheck");
      EXPECT_TRUE(seen.insert(url).second) << url << " in two shares";
    }
  }
  EXPECT_EQ(seen.size(), shard_size);

  const std::string url = shares[1].plans.at(0)->config.url;
  std::vector<SiteConfig> alone = sites(0);
  alone.push_back(all[0]);
  alone.back().url = url;
  std::vector<SitePlans> alone_shares = split_site_plans(build_site_plans(alone, std::nullopt), 2);
  EXPECT_EQ(alone_shares[1].plans.size(), 1u) << url << " moved to another loop";
}

TEST(SitePlan, CarriesTheRequestAndDigestOfEachSite) {
  SiteConfig site = sites(1)[0];
  site.regex = "Example";
  site.timeout = std::chrono::milliseconds(1234);
  site.expected_status = {204};
  SitePlans built = build_site_plans({site}, std::nullopt);
  ASSERT_EQ(built.plans.size(), 1u);
  const SitePlan& plan = *built.plans[0];
  EXPECT_EQ(plan.url_digest, url_digest(site.url));
  EXPECT_EQ(plan.request->url, site.url);
  EXPECT_EQ(plan.request->timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(plan.request->expected_status, std::vector<int>{204});
  ASSERT_NE(plan.regex, nullptr);
  EXPECT_EQ(built.schedule[0].interval, site.polling_interval);
}

TEST(CheckMeasurement, RegexIsSearchedOnlyInACompleteResponseBody) {
  SiteConfig site = sites(1)[0];
  site.regex = "Example";
  auto plan = build_site_plans({site}, std::nullopt).plans[0];
  const WallTime at{std::chrono::seconds(1'800'000'000)};

  CheckResult matched;
  matched.status_code = 200;
  matched.body = "<h1>Example</h1>";
  Measurement up = make_measurement(*plan, std::move(matched), at, "host:1");
  EXPECT_EQ(up.regex_match, true);
  EXPECT_EQ(up.regex, "Example");
  EXPECT_EQ(up.measured_at, at);
  EXPECT_EQ(up.producer, "host:1");
  EXPECT_FALSE(up.error.has_value());

  CheckResult error_page;
  error_page.status_code = 500;
  error_page.error = CheckError::kUnexpectedStatus;
  error_page.body = "oops";
  EXPECT_EQ(make_measurement(*plan, std::move(error_page), at, "h").regex_match, false);

  CheckResult refused;
  refused.error = CheckError::kConnect;
  refused.error_detail = "Failed to connect";
  Measurement down = make_measurement(*plan, std::move(refused), at, "h");
  EXPECT_FALSE(down.regex_match.has_value());
  EXPECT_EQ(down.error, "connect");
  EXPECT_EQ(down.error_detail, "Failed to connect");

  CheckResult truncated;
  truncated.status_code = 200;
  truncated.error = CheckError::kBodyTooLarge;
  truncated.body = "no match in the first part";
  EXPECT_FALSE(make_measurement(*plan, std::move(truncated), at, "h").regex_match.has_value());
}

}  // namespace
}  // namespace hc::producer
