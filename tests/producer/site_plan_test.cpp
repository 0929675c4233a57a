#include "site_plan.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "check_measurement.h"
#include "hc/common/url_digest.h"
#include "site_hash.h"

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
      EXPECT_EQ(share.schedule[i].key, site_key(url + "\nhealthcheck"));
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

TEST(SitePlan, CarriesTheRequestDigestAndConditionsOfEachSite) {
  SiteConfig site = sites(1)[0];
  site.regex = "Example";
  site.timeout = std::chrono::milliseconds(1234);
  site.expected_status = {{204, 204}};
  site.max_response_time = std::chrono::milliseconds(300);
  SitePlans built = build_site_plans({site}, std::nullopt);
  ASSERT_EQ(built.plans.size(), 1u);
  const SitePlan& plan = *built.plans[0];
  EXPECT_EQ(plan.url_digest, url_digest(site.url));
  EXPECT_EQ(plan.config.url, site.url);  // what the check asks (CheckRunner::start)
  EXPECT_EQ(plan.request_as<CheckRequest>()->timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(plan.conditions->expected_status, (std::vector<StatusRange>{{204, 204}}));
  EXPECT_EQ(plan.conditions->max_response_time_us, 300'000);
  ASSERT_NE(plan.conditions->regex, nullptr);
  EXPECT_EQ(built.schedule[0].interval, site.polling_interval);
}

TEST(SitePlan, TheBodyIsKeptOnlyForBodyConditionsAndHeadersOnlyForHeaderConditions) {
  SiteConfig plain = sites(1)[0];
  plain.max_body_bytes = 4096;
  SiteConfig with_regex = plain;
  with_regex.url += "regex";
  with_regex.regex = "ok";
  SiteConfig with_absent = plain;
  with_absent.url += "absent";
  with_absent.regex_absent = "error";
  SiteConfig with_header = plain;
  with_header.url += "header";
  with_header.headers_match = {{"Content-Type", "json"}};
  SitePlans built = build_site_plans({plain, with_regex, with_absent, with_header}, std::nullopt);
  ASSERT_EQ(built.plans.size(), 4u);
  EXPECT_EQ(built.plans[0]->request_as<CheckRequest>()->body_capture_bytes, 0u);
  EXPECT_FALSE(built.plans[0]->request_as<CheckRequest>()->capture_headers);
  EXPECT_EQ(built.plans[1]->request_as<CheckRequest>()->body_capture_bytes, 4096u);
  EXPECT_EQ(built.plans[2]->request_as<CheckRequest>()->body_capture_bytes, 4096u);
  EXPECT_EQ(built.plans[3]->request_as<CheckRequest>()->body_capture_bytes, 0u);
  EXPECT_TRUE(built.plans[3]->request_as<CheckRequest>()->capture_headers);
}

TEST(SitePlan, EqualPatternsShareOneCompiledRegex) {
  std::vector<SiteConfig> all = sites(3);
  for (SiteConfig& site : all) site.regex = "same";
  all[2].regex_absent = "same";
  SitePlans built = build_site_plans(all, std::nullopt);
  EXPECT_EQ(built.plans[0]->conditions->regex, built.plans[1]->conditions->regex);
  EXPECT_EQ(built.plans[0]->conditions->regex, built.plans[2]->conditions->regex_absent);
}

// 200,000 sites with one regex and one status range hold their conditions once.
TEST(SitePlan, SitesWithEqualConditionsShareOneBlock) {
  std::vector<SiteConfig> all = sites(4);
  for (SiteConfig& site : all) site.regex = "same";
  all[2].max_response_time = std::chrono::milliseconds(300);
  all[3].regex = "other";
  SitePlans built = build_site_plans(all, std::nullopt);
  ASSERT_EQ(built.plans.size(), 4u);
  EXPECT_EQ(built.plans[0]->conditions, built.plans[1]->conditions) << "equal, not shared";
  EXPECT_NE(built.plans[0]->conditions, built.plans[2]->conditions);
  EXPECT_NE(built.plans[0]->conditions, built.plans[3]->conditions);
  EXPECT_FALSE(built.plans[0]->conditions->max_response_time_us.has_value());
  EXPECT_EQ(built.plans[2]->conditions->max_response_time_us, 300'000);
  EXPECT_EQ(built.plans[3]->conditions->regex->pattern(), "other");
}

// The request holds no URL: sites asked the same way share one (each check is given its
// site's URL beside it, http_checker_test).
TEST(SitePlan, SitesWithEqualRequestSettingsShareOneRequest) {
  std::vector<SiteConfig> all = sites(4);
  all[2].timeout = std::chrono::milliseconds(1234);
  all[3].headers = {{"X-Probe", "yes"}};
  SitePlans built = build_site_plans(all, std::nullopt);
  ASSERT_EQ(built.plans.size(), 4u);
  EXPECT_EQ(built.plans[0]->request_as<CheckRequest>(), built.plans[1]->request_as<CheckRequest>())
      << "equal, not shared";
  EXPECT_NE(built.plans[0]->request_as<CheckRequest>(), built.plans[2]->request_as<CheckRequest>());
  EXPECT_NE(built.plans[0]->request_as<CheckRequest>(), built.plans[3]->request_as<CheckRequest>());
  EXPECT_EQ(built.plans[2]->request_as<CheckRequest>()->timeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(built.plans[3]->request_as<CheckRequest>()->headers.size(), 1u);
  EXPECT_TRUE(built.plans[0]->request_as<CheckRequest>()->headers.empty());
  EXPECT_NE(built.plans[0]->config.url, built.plans[1]->config.url);
}

TEST(CheckMeasurement, CarriesTheVerdictAndTheTransportFigures) {
  SiteConfig site = sites(1)[0];
  site.regex = "Example";
  auto plan = build_site_plans({site}, std::nullopt).plans[0];
  const WallTime at{std::chrono::seconds(1'800'000'000)};

  CheckResult result;
  result.status_code = 500;
  result.body = "no such text";
  result.body_bytes = 5'000'000;
  result.body_truncated = true;
  result.response_time_us = 1234;
  Verdict verdict = evaluate(*plan->conditions, result, plan->config.https, at);
  Measurement m = make_measurement(*plan, std::move(result), std::move(verdict), at, "host:1");
  EXPECT_EQ(m.healthy, false);
  EXPECT_EQ(m.failed_conditions, (std::vector<std::string>{"status", "regex"}));
  EXPECT_EQ(m.error, "unexpected_status");
  EXPECT_EQ(m.error_detail, "HTTP 500");
  EXPECT_EQ(m.regex_match, false);
  EXPECT_EQ(m.regex, "Example");
  EXPECT_EQ(m.body_bytes, 5'000'000);
  EXPECT_TRUE(m.body_truncated);
  EXPECT_EQ(m.response_time_us, 1234);
  EXPECT_EQ(m.measured_at, at);
  EXPECT_EQ(m.producer, "host:1");
}

}  // namespace
}  // namespace hc::producer
