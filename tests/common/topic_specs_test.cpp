// `hc topics create`'s list: which topics a config names and how each is created.
#include <gtest/gtest.h>

#include <map>

#include "hc/common/topic_admin.h"

namespace hc {
namespace {

TEST(TopicSpecs, EventsTopicsAreCreatedCompactedAndTheOthersAreNot) {
  ConfigLoadResult loaded =
      parse_config(R"(healthcheck-producer-config:
  bootstrap_servers: 127.0.0.1:9092
  defaults: { destination_topic: checks }
  websites:
    - url: http://127.0.0.1/a
    - url: http://127.0.0.1/b
      events_topic: alerts
healthcheck-consumer-config:
  bootstrap_servers: 127.0.0.1:9092
  topics:
    - source_topic: checks
      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres
      table_name: checks
)",
                   "test.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  const std::vector<TopicSpec> specs = configured_topic_specs(*loaded.config, 6, 3);
  std::vector<std::string> compacted;
  std::vector<std::string> plain;
  for (const TopicSpec& spec : specs) {
    EXPECT_EQ(spec.partitions, 6);
    EXPECT_EQ(spec.replication_factor, 3);
    const bool compact = spec.configs == std::vector<std::pair<std::string, std::string>>{
                                             {"cleanup.policy", "compact"}};
    EXPECT_TRUE(compact || spec.configs.empty()) << spec.name;
    (compact ? compacted : plain).push_back(spec.name);
  }
  EXPECT_EQ(compacted, (std::vector<std::string>{"alerts", "checks.events"}));
  EXPECT_EQ(plain, (std::vector<std::string>{"checks", "checks.dlq"}));
}

TEST(TopicSpecs, AConsumerAloneCreatesTheSourceTopicOfAnEventsRouteCompactedNotItsDeadLetters) {
  ConfigLoadResult loaded =
      parse_config(R"(healthcheck-consumer-config:
  bootstrap_servers: 127.0.0.1:9092
  topics:
    - source_topic: checks
      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres
      table_name: checks
    - source_topic: checks.events
      kind: events
      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres
      table_name: checks_events
)",
                   "test.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  std::vector<std::string> compacted;
  std::vector<std::string> plain;
  for (const TopicSpec& spec : configured_topic_specs(*loaded.config, 3, 1)) {
    (spec.configs.empty() ? plain : compacted).push_back(spec.name);
    if (!spec.configs.empty()) {
      EXPECT_EQ(spec.configs,
                (std::vector<std::pair<std::string, std::string>>{{"cleanup.policy", "compact"}}));
    }
  }
  EXPECT_EQ(compacted, (std::vector<std::string>{"checks.events"}));
  EXPECT_EQ(plain, (std::vector<std::string>{"checks", "checks.dlq", "checks.events.dlq"}));
}

TEST(TopicSpecs, RetentionGoesToMeasurementTopicsOnlyNotEventsOrDeadLetters) {
  ConfigLoadResult loaded =
      parse_config(R"(healthcheck-producer-config:
  bootstrap_servers: 127.0.0.1:9092
  defaults: { destination_topic: checks }
  websites:
    - url: http://127.0.0.1/a
healthcheck-consumer-config:
  bootstrap_servers: 127.0.0.1:9092
  topics:
    - source_topic: more_checks
      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres
      table_name: checks
)",
                   "test.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs;
  for (const TopicSpec& spec :
       configured_topic_specs(*loaded.config, 3, 1, std::chrono::hours(48))) {
    configs[spec.name] = spec.configs;
  }
  using Configs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(configs["checks"], (Configs{{"retention.ms", "172800000"}}));
  EXPECT_EQ(configs["more_checks"], (Configs{{"retention.ms", "172800000"}}));
  EXPECT_EQ(configs["checks.events"], (Configs{{"cleanup.policy", "compact"}}));
  EXPECT_EQ(configs["more_checks.dlq"], Configs{});
  EXPECT_EQ(configs.size(), 4u);
}

TEST(TopicSpecs, FleetModeCreatesTheCompactedSitesTopicAndTheDefaultsTopics) {
  ConfigLoadResult loaded =
      parse_config(R"(healthcheck-producer-config:
  bootstrap_servers: 127.0.0.1:9092
  sites_topic: hc.sites
  defaults: { destination_topic: checks }
)",
                   "test.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  std::map<std::string, bool> compacted_by_name;
  for (const TopicSpec& spec : configured_topic_specs(*loaded.config, 3, 1)) {
    compacted_by_name[spec.name] = spec.configs == std::vector<std::pair<std::string, std::string>>{
                                                       {"cleanup.policy", "compact"}};
  }
  EXPECT_EQ(compacted_by_name,
            (std::map<std::string, bool>{
                {"checks", false}, {"checks.events", true}, {"hc.sites", true}}));
}

// hc notify reads events topics (compacted, as the producer's), writes its dead letters and
// follows the runtime silences (compacted: key = silence id): `hc topics create` with only a
// notify section creates all three kinds.
TEST(TopicSpecs, ANotifySectionNamesItsEventsTopicsCompactedAndItsDeadLetterTopic) {
  ConfigLoadResult loaded =
      parse_config(R"(healthcheck-notify-config:
  bootstrap_servers: 127.0.0.1:9092
  events_topics: [checks.events, infra.events]
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:8099/hook"}
  routes:
    - {match: {url_regex: ".*"}, channels: [hook]}
)",
                   "test.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs;
  for (const TopicSpec& spec :
       configured_topic_specs(*loaded.config, 3, 1, std::chrono::hours(48))) {
    configs[spec.name] = spec.configs;
  }
  using Configs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(configs,
            (std::map<std::string, Configs>{{"checks.events", {{"cleanup.policy", "compact"}}},
                                            {"infra.events", {{"cleanup.policy", "compact"}}},
                                            {"notify.dlq", {}},
                                            {"notify.silences", {{"cleanup.policy", "compact"}}}}));
}

}  // namespace
}  // namespace hc
