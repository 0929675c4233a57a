// icmp:// sites: their keys (count, interval_ms, max_loss_percent) with bounds and positions,
// keys of other types refused on them (and theirs on others), and the config-time check that
// this process can open an ICMP socket, through an injected probe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config_test_helpers.h"
#include "hc/common/site_json.h"

namespace hc {
namespace {

using test::all_errors;
using test::error_lines;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ConfigLoadResult sites(std::string_view text, const IcmpAccessProbe& probe = {}) {
  return parse_config(std::string(test::kSitesHead) + std::string(text), "test.yaml",
                      test::env_of(), probe);
}

TEST(ConfigIcmp, SitesTakeCountIntervalAndLossWithDefaults) {
  const ConfigLoadResult result = sites(
      "    - url: icmp://127.0.0.1\n"
      "    - url: ICMP://gateway.example.test/\n"
      "      count: 5\n"
      "      interval_ms: 200\n"
      "      max_loss_percent: 20\n"
      "      max_response_time_ms: 50\n"
      "      timeout_ms: 2000\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& websites = result.config->producer->websites;
  ASSERT_EQ(websites.size(), 2U);
  EXPECT_EQ(websites[0].check_type, CheckType::kIcmp);
  EXPECT_EQ(websites[0].echo_count, 3);
  EXPECT_EQ(websites[0].echo_interval, std::chrono::milliseconds(1000));
  EXPECT_FALSE(websites[0].max_loss_percent);
  EXPECT_EQ(websites[1].check_type, CheckType::kIcmp);
  EXPECT_EQ(websites[1].echo_count, 5);
  EXPECT_EQ(websites[1].echo_interval, std::chrono::milliseconds(200));
  EXPECT_EQ(websites[1].max_loss_percent, 20);
  EXPECT_EQ(websites[1].max_response_time, std::chrono::milliseconds(50));
}

TEST(ConfigIcmp, DefaultsMayHoldIcmpKeysAndOtherTypesIgnoreThem) {
  const ConfigLoadResult result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: healthcheck\n"
      "    count: 4\n"
      "    max_loss_percent: 25\n"
      "    regex: Welcome\n"
      "  websites:\n"
      "    - url: icmp://127.0.0.1\n"
      "    - url: tcp://127.0.0.1:6379\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_EQ(result.config->producer->websites[0].echo_count, 4);
  EXPECT_EQ(result.config->producer->websites[0].max_loss_percent, 25);
}

TEST(ConfigIcmp, KeysAndConditionsThatDoNotApplyAreErrorsAtTheirPosition) {
  const ConfigLoadResult result = sites(
      "    - url: icmp://127.0.0.1\n"      // 6
      "      ip_version: 4\n"              // 7
      "      expect: pong\n"               // 8
      "      min_cert_days: 3\n"           // 9
      "    - url: tcp://127.0.0.1:6379\n"  // 10
      "      max_loss_percent: 0\n"        // 11
      "    - url: http://127.0.0.1/\n"     // 12
      "      count: 2\n");                 // 13
  EXPECT_THAT(
      error_lines(result),
      ElementsAre(
          "test.yaml:7:19: healthcheck-producer-config.websites[0].ip_version: 'ip_version' does "
          "not apply to an icmp check (it applies to: http, tcp, tls)",
          "test.yaml:8:15: healthcheck-producer-config.websites[0].expect: 'expect' does not "
          "apply to an icmp check (it applies to: tcp)",
          "test.yaml:9:22: healthcheck-producer-config.websites[0].min_cert_days: "
          "'min_cert_days' does not apply to an icmp check (it applies to: http, tls)",
          "test.yaml:11:25: healthcheck-producer-config.websites[1].max_loss_percent: "
          "'max_loss_percent' does not apply to a tcp check (it applies to: icmp)",
          "test.yaml:13:14: healthcheck-producer-config.websites[2].count: 'count' does not "
          "apply to an http check (it applies to: icmp)"));
}

TEST(ConfigIcmp, BadTargetsBoundsAndSchedulesAreErrorsAtTheirPosition) {
  const ConfigLoadResult result = sites(
      "    - url: icmp://127.0.0.1:80\n"  // 6
      "    - url: icmp://[::1]\n"         // 7
      "    - url: icmp://127.0.0.1\n"     // 8
      "      count: 0\n"                  // 9
      "      max_loss_percent: 101\n"     // 10
      "      interval_ms: 0\n"            // 11
      "    - url: icmp://127.0.0.2\n"     // 12
      "      count: 11\n"                 // 13
      "      interval_ms: 1000\n");       // 14: 10 s after the first, the default timeout
  const std::vector<std::string> lines = error_lines(result);
  ASSERT_EQ(lines.size(), 6U) << all_errors(result);
  EXPECT_THAT(lines[0], HasSubstr("test.yaml:6:12: healthcheck-producer-config.websites[0].url: "
                                  "expected icmp://HOST, got 'icmp://127.0.0.1:80': unexpected "
                                  "':80'"));
  EXPECT_THAT(lines[1], HasSubstr("test.yaml:7:12:"));
  EXPECT_THAT(lines[1], HasSubstr("IPv6 is not checked over ICMP"));
  EXPECT_THAT(lines[2], HasSubstr("test.yaml:9:14: healthcheck-producer-config.websites[2].count"));
  EXPECT_THAT(lines[2], HasSubstr("expected a number of echo requests in 1..100, got 0"));
  EXPECT_THAT(lines[3], HasSubstr("test.yaml:10:25:"));
  EXPECT_THAT(lines[3], HasSubstr("expected an integer in 0..100, got 101"));
  EXPECT_THAT(lines[4], HasSubstr("test.yaml:11:20:"));
  EXPECT_EQ(lines[5],
            "test.yaml:14:20: healthcheck-producer-config.websites[3].interval_ms: count 11 echo "
            "requests every 1000 ms end at 10000 ms, not within timeout_ms 10000: the last "
            "request would have no time to be answered");
}

TEST(ConfigIcmp, WithoutAnIcmpSocketEachIcmpSiteIsAnErrorAtItsUrl) {
  int asked = 0;
  const IcmpAccessProbe none = [&asked]() -> std::optional<std::string> {
    ++asked;
    return "an unprivileged ICMP socket was refused (...) and a raw one too (...)";
  };
  const ConfigLoadResult result = sites(
      "    - url: icmp://127.0.0.1\n"      // 6
      "    - url: tcp://127.0.0.1:6379\n"  // 7
      "    - url: icmp://127.0.0.2\n",     // 8
      none);
  EXPECT_THAT(error_lines(result),
              ElementsAre("test.yaml:6:12: healthcheck-producer-config.websites[0].url: an icmp "
                          "check needs an ICMP socket, and this process can open none: an "
                          "unprivileged ICMP socket was refused (...) and a raw one too (...)",
                          HasSubstr("test.yaml:8:12: healthcheck-producer-config.websites[2].url: "
                                    "an icmp check needs an ICMP socket")));
  EXPECT_EQ(asked, 1) << "the probe is asked once per load";

  asked = 0;
  EXPECT_TRUE(sites("    - url: tcp://127.0.0.1:6379\n", none).ok());
  EXPECT_EQ(asked, 0) << "no icmp site, no probe";
  EXPECT_TRUE(sites("    - url: icmp://127.0.0.1\n").ok()) << "no probe given: not checked";
  EXPECT_TRUE(
      sites("    - url: icmp://127.0.0.1\n", [] { return std::optional<std::string>(); }).ok());
}

TEST(ConfigIcmp, AnIcmpSiteTravelsAsJsonWithOnlyItsKeys) {
  const ConfigLoadResult result = sites(
      "    - url: icmp://127.0.0.1\n"
      "      count: 5\n"
      "      interval_ms: 200\n"
      "      max_loss_percent: 20\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites[0];
  const std::string json = encode_site_json(site);
  EXPECT_THAT(json, HasSubstr("\"count\":5"));
  EXPECT_THAT(json, Not(HasSubstr("\"regex\"")));
  const SiteDecodeResult decoded =
      decode_site_json(site.url, json, *result.config->producer, "sites topic");
  ASSERT_TRUE(decoded.site) << (decoded.errors.empty() ? "" : decoded.errors[0].to_string());
  EXPECT_EQ(*decoded.site, site);
}

}  // namespace
}  // namespace hc
