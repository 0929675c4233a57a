// Fleet mode in the producer section: sites_topic, producer_group, session_timeout_ms, and
// the refusal of websites together with sites_topic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_helpers.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::HasSubstr;

TEST(ConfigFleet, SitesTopicSelectsFleetModeWithDefaults) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  sites_topic: hc.sites\n"
      "  defaults: {destination_topic: checks, polling_interval_in_seconds: 5}\n");
  ASSERT_TRUE(loaded.ok()) << all_errors(loaded);
  const ProducerConfig& producer = *loaded.config->producer;
  EXPECT_EQ(producer.sites_topic, "hc.sites");
  EXPECT_EQ(producer.producer_group, "hc-producers");
  EXPECT_EQ(producer.session_timeout, std::chrono::milliseconds(10000));
  EXPECT_TRUE(producer.websites.empty());
  EXPECT_EQ(producer.site_defaults.destination_topic, "checks");
  EXPECT_EQ(producer.site_defaults.polling_interval, std::chrono::seconds(5));
  EXPECT_THAT(summarize(*loaded.config), HasSubstr("fleet mode: sites from topic hc.sites"));
}

TEST(ConfigFleet, GroupAndSessionTimeoutAreRead) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  sites_topic: hc.sites\n"
      "  producer_group: fleet-a\n"
      "  session_timeout_ms: 6000\n");
  ASSERT_TRUE(loaded.ok()) << all_errors(loaded);
  EXPECT_EQ(loaded.config->producer->producer_group, "fleet-a");
  EXPECT_EQ(loaded.config->producer->session_timeout, std::chrono::milliseconds(6000));
}

TEST(ConfigFleet, WebsitesAndSitesTopicTogetherAreRefusedAtTheWebsitesLine) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  sites_topic: hc.sites\n"
      "  websites:\n"
      "    - url: http://127.0.0.1/a\n"
      "      destination_topic: checks\n");
  ASSERT_EQ(loaded.errors.size(), 1U) << all_errors(loaded);
  EXPECT_EQ(loaded.errors[0].line, 5);
  EXPECT_EQ(loaded.errors[0].key_path, "healthcheck-producer-config.websites");
  EXPECT_THAT(loaded.errors[0].to_string(),
              HasSubstr("test.yaml:5:5: healthcheck-producer-config.websites: websites and "
                        "sites_topic (line 3) exclude each other"));
}

TEST(ConfigFleet, FleetKeysWithoutSitesTopicAreRefused) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  producer_group: fleet-a\n"
      "  websites:\n"
      "    - url: http://127.0.0.1/a\n"
      "      destination_topic: checks\n");
  ASSERT_EQ(loaded.errors.size(), 1U) << all_errors(loaded);
  EXPECT_EQ(loaded.errors[0].line, 3);
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("fleet mode only: set sites_topic"));
}

TEST(ConfigFleet, BadFleetValuesNameTheirKeys) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  sites_topic: 'no spaces allowed'\n"
      "  producer_group: ''\n"
      "  session_timeout_ms: 10\n");
  ASSERT_EQ(loaded.errors.size(), 3U) << all_errors(loaded);
  EXPECT_EQ(loaded.errors[0].key_path, "healthcheck-producer-config.sites_topic");
  EXPECT_EQ(loaded.errors[1].key_path, "healthcheck-producer-config.producer_group");
  EXPECT_EQ(loaded.errors[2].key_path, "healthcheck-producer-config.session_timeout_ms");
}

TEST(ConfigFleet, NeitherWebsitesNorSitesTopicIsRefused) {
  ConfigLoadResult loaded = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n");
  ASSERT_EQ(loaded.errors.size(), 1U) << all_errors(loaded);
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("or sites_topic for fleet mode"));
}

}  // namespace
}  // namespace hc
