// healthcheck-serve-config: the admin API's token, from the file or the environment, never
// quoted in an error; the notify section's silences_topic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_helpers.h"

namespace hc {
namespace {

using test::all_errors;
using test::env_of;
using test::parse;
using ::testing::HasSubstr;

constexpr std::string_view kConsumer = R"(healthcheck-consumer-config:
  bootstrap_servers: 127.0.0.1:9092
  topics:
    - {source_topic: checks, connection_uri: "postgresql://u@127.0.0.1/db", table_name: checks}
)";

TEST(ConfigServe, ApiTokenComesFromTheEnvironment) {
  const std::string yaml = std::string(kConsumer) + R"(healthcheck-serve-config:
  api_token: !ENV "${HC_API_TOKEN}"
)";
  const auto loaded = parse(yaml, env_of({{"HC_API_TOKEN", "a-long-enough-token-1234"}}));
  ASSERT_TRUE(loaded.ok()) << all_errors(loaded);
  ASSERT_TRUE(loaded.config->serve);
  EXPECT_EQ(loaded.config->serve->api_token, "a-long-enough-token-1234");
}

TEST(ConfigServe, AnEmptyTokenMeansWritesOffAndNoSectionTheSame) {
  const auto empty = parse(std::string(kConsumer) + R"(healthcheck-serve-config:
  api_token: !ENV "${HC_API_TOKEN:-}"
)");
  ASSERT_TRUE(empty.ok()) << all_errors(empty);
  EXPECT_EQ(empty.config->serve->api_token, "");
  const auto none = parse(kConsumer);
  ASSERT_TRUE(none.ok()) << all_errors(none);
  EXPECT_FALSE(none.config->serve);
}

TEST(ConfigServe, AShortTokenOrAnUnknownKeyIsRefusedWithoutQuotingTheToken) {
  const auto shorter = parse(std::string(kConsumer) + R"(healthcheck-serve-config:
  api_token: "hunter2"
)");
  ASSERT_FALSE(shorter.ok());
  EXPECT_THAT(
      all_errors(shorter),
      HasSubstr("test.yaml:6:14: healthcheck-serve-config.api_token: expected at least 16"));
  EXPECT_THAT(all_errors(shorter), ::testing::Not(HasSubstr("hunter2")));

  const auto unknown = parse(std::string(kConsumer) + R"(healthcheck-serve-config:
  api_tokn: "0123456789abcdef0123"
)");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(all_errors(unknown), HasSubstr("healthcheck-serve-config.api_tokn"));
}

TEST(ConfigServe, SilencesTopicDefaultsAndMustDifferFromTheEventsTopics) {
  constexpr std::string_view kNotify = R"(healthcheck-notify-config:
  bootstrap_servers: 127.0.0.1:9092
  channels: [{name: hook, type: webhook, url: "http://127.0.0.1:8099/hook"}]
  routes: [{match: {url_regex: ".*"}, channels: [hook]}]
)";
  const auto defaulted = parse(std::string(kNotify) + "  events_topics: [checks.events]\n");
  ASSERT_TRUE(defaulted.ok()) << all_errors(defaulted);
  EXPECT_EQ(defaulted.config->notify->silences_topic, "notify.silences");

  const auto clash = parse(std::string(kNotify) +
                           "  silences_topic: checks.events\n  events_topics: [checks.events]\n");
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(all_errors(clash), HasSubstr("must differ from silences_topic"));
}

}  // namespace
}  // namespace hc
