// Config of state changes: down_after, up_after and events_topic, per site and in defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config_test_helpers.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::HasSubstr;

// Lines 1-4; `defaults` lines follow at line 5, then the sites.
std::string producer_config(const std::string& defaults, const std::string& sites) {
  return "healthcheck-producer-config:\n"  // 1
         "  bootstrap_servers: 127.0.0.1:9092\n"
         "  defaults:\n"
         "    destination_topic: healthcheck\n" +  // 4
         defaults +
         "  websites:\n" + sites;
}

TEST(ConfigEvents, DefaultsAreOneAndOneAndTheDestinationTopicDotEvents) {
  ConfigLoadResult result = parse(producer_config("", "    - url: http://127.0.0.1/a\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites.at(0);
  EXPECT_EQ(site.down_after, 1);
  EXPECT_EQ(site.up_after, 1);
  EXPECT_EQ(site.events_topic, "healthcheck.events");
}

TEST(ConfigEvents, ASiteOverridesDefaultsAndASitesOwnTopicGivesItsOwnEventsTopic) {
  ConfigLoadResult result = parse(producer_config("    down_after: 3\n    up_after: 2\n",
                                                  "    - url: http://127.0.0.1/a\n"
                                                  "    - url: http://127.0.0.1/b\n"
                                                  "      down_after: 5\n"
                                                  "      destination_topic: other\n"
                                                  "    - url: http://127.0.0.1/c\n"
                                                  "      events_topic: alerts\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& sites = result.config->producer->websites;
  EXPECT_EQ(sites[0].down_after, 3);
  EXPECT_EQ(sites[0].up_after, 2);
  EXPECT_EQ(sites[0].events_topic, "healthcheck.events");
  EXPECT_EQ(sites[1].down_after, 5);
  EXPECT_EQ(sites[1].up_after, 2);
  EXPECT_EQ(sites[1].events_topic, "other.events");
  EXPECT_EQ(sites[2].events_topic, "alerts");
}

TEST(ConfigEvents, AnEventsTopicInDefaultsAppliesToEverySite) {
  ConfigLoadResult result = parse(producer_config("    events_topic: state\n",
                                                  "    - url: http://127.0.0.1/a\n"
                                                  "      destination_topic: other\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_EQ(result.config->producer->websites.at(0).events_topic, "state");
}

struct BadCase {
  std::string defaults;
  std::string site_line;  // line 7 when defaults is empty
  int line;
  std::string key_path;
  std::string message;
};

TEST(ConfigEvents, EachBadValueIsReportedAtItsLineWithItsKey) {
  const std::string site = "healthcheck-producer-config.websites[0]";
  const std::vector<BadCase> cases = {
      {"", "      down_after: 0\n", 7, site + ".down_after",
       "expected a number of consecutive checks in 1..100, got 0"},
      {"", "      up_after: 101\n", 7, site + ".up_after",
       "expected a number of consecutive checks in 1..100, got 101"},
      {"", "      down_after: often\n", 7, site + ".down_after", "expected an integer"},
      {"", "      events_topic: \"no spaces\"\n", 7, site + ".events_topic", "topic"},
      {"", "      events_topic: healthcheck\n", 7, site + ".events_topic",
       "events_topic must differ from destination_topic"},
      {"", "      destination_topic: " + std::string(245, 't') + "\n", 6, site + ".events_topic",
       "too long for a Kafka topic name"},
      {"    up_after: -1\n", "", 5, "healthcheck-producer-config.defaults.up_after",
       "expected a number of consecutive checks in 1..100, got -1"},
  };
  for (const BadCase& bad : cases) {
    ConfigLoadResult result =
        parse(producer_config(bad.defaults, "    - url: http://127.0.0.1/a\n" + bad.site_line));
    ASSERT_EQ(result.errors.size(), 1u) << bad.site_line << bad.defaults << all_errors(result);
    EXPECT_EQ(result.errors[0].line, bad.line) << all_errors(result);
    EXPECT_EQ(result.errors[0].key_path, bad.key_path) << all_errors(result);
    EXPECT_THAT(result.errors[0].message, HasSubstr(bad.message)) << all_errors(result);
  }
}

}  // namespace
}  // namespace hc
