// healthcheck-notify-config: what is accepted, its defaults, and errors naming line and key.
#include <gtest/gtest.h>

#include "hc/common/config.h"

namespace hc {
namespace {

ConfigLoadResult parse(const std::string& body,
                       const std::map<std::string, std::string>& variables = {}) {
  return parse_config(
      "healthcheck-notify-config:\n"
      "  bootstrap_servers: [\"127.0.0.1:9092\"]\n"
      "  events_topics: [healthcheck.events]\n" +
          body,
      "notify.yaml", [variables](const std::string& name) {
        auto found = variables.find(name);
        return found == variables.end() ? std::nullopt : std::optional(found->second);
      });
}

std::string errors(const ConfigLoadResult& result) {
  std::string text;
  for (const ConfigError& error : result.errors) text += error.to_string() + "\n";
  return text;
}

TEST(NotifyConfig, TheIssuesExampleWithDefaults) {
  const auto result = parse(
      "  channels:\n"
      "    - name: ops-hook\n"
      "      type: webhook\n"
      "      url: \"http://127.0.0.1:8099/hook\"\n"
      "      hmac_secret: !ENV \"${HC_HOOK_SECRET}\"\n"
      "    - {name: pd, type: pagerduty, routing_key: !ENV \"${PD_KEY}\"}\n"
      "  routes:\n"
      "    - match: {url_regex: \".*\"}\n"
      "      channels: [ops-hook, pd]\n",
      {{"HC_HOOK_SECRET", "s3cret"}, {"PD_KEY", "abc"}});
  ASSERT_TRUE(result.ok()) << errors(result);
  const NotifyConfig& notify = *result.config->notify;
  EXPECT_EQ(notify.notify_group, "hc-notify");
  EXPECT_EQ(notify.auto_offset_reset, "latest");
  EXPECT_EQ(notify.dead_letter_topic, "notify.dlq");
  EXPECT_EQ(notify.route_mode, RouteMode::kFirst);
  ASSERT_EQ(notify.channels.size(), 2u);
  EXPECT_EQ(notify.channels[0].hmac_secret, "s3cret");
  EXPECT_EQ(notify.channels[0].retry.max_attempts, 8);
  EXPECT_EQ(notify.channels[1].url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_EQ(notify.channels[1].routing_key, "abc");
  ASSERT_EQ(notify.routes.size(), 1u);
  EXPECT_EQ(notify.routes[0].transitions, default_transitions());
  EXPECT_EQ(summarize(*result.config),
            "notify group hc-notify: 1 events topic -> 1 route to 2 channels");
}

TEST(NotifyConfig, RouteConditionsAndRetrySettings) {
  const auto result = parse(
      "  route_mode: all\n"
      "  channels:\n"
      "    - {name: a, type: slack, url: \"https://hooks.slack.test/x\", max_attempts: 3,\n"
      "       max_retry_s: 60, initial_backoff_ms: 10, max_backoff_ms: 20, timeout_ms: 500}\n"
      "  routes:\n"
      "    - match: {topic: infra.events, check_type: [tcp, dns],\n"
      "              transitions: [\"up -> down\", \"*->up\"]}\n"
      "      channels: [a]\n");
  ASSERT_TRUE(result.ok()) << errors(result);
  const NotifyConfig& notify = *result.config->notify;
  EXPECT_EQ(notify.route_mode, RouteMode::kAll);
  EXPECT_EQ(notify.channels[0].retry.max_retry, std::chrono::seconds(60));
  EXPECT_EQ(notify.channels[0].timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(notify.routes[0].topics, std::vector<std::string>{"infra.events"});
  EXPECT_EQ(notify.routes[0].check_types, (std::vector<std::string>{"tcp", "dns"}));
  EXPECT_EQ(notify.routes[0].transitions,
            (std::vector<TransitionPattern>{{"up", "down"}, {"*", "up"}}));
}

TEST(NotifyConfig, EveryMistakeIsReportedWithItsLineAndKey) {
  const auto result = parse(
      "  channels:\n"
      "    - {name: a, type: webhook, url: \"ftp://x\"}\n"
      "    - {name: a, type: slack, url: \"https://x.test/\", hmac_secret: s}\n"
      "    - {name: b, type: pagerduty}\n"
      "    - {name: \"has space\", type: teams, url: \"https://x.test/\"}\n"
      "  routes:\n"
      "    - match: {url_regex: \"(\", transitions: [sideways]}\n"
      "      channels: [nope]\n",
      {});
  const std::string text = errors(result);
  EXPECT_NE(text.find("notify.yaml:5:"), std::string::npos) << text;
  EXPECT_NE(text.find("healthcheck-notify-config.channels[0].url: expected an http(s) URL"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("channels[1].hmac_secret: hmac_secret applies to webhook channels only"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("routing_key"), std::string::npos) << text;
  EXPECT_NE(text.find("channels[3].name: expected a channel name"), std::string::npos) << text;
  EXPECT_NE(text.find("routes[0].match.url_regex: regex does not compile"), std::string::npos)
      << text;
  EXPECT_NE(text.find("expected a transition FROM->TO"), std::string::npos) << text;
  EXPECT_NE(text.find("routes[0].channels[0]: no channel named 'nope'"), std::string::npos) << text;
}

TEST(NotifyConfig, SecretsAreNeverQuotedInErrors) {
  const auto result = parse(
      "  channels:\n"
      "    - {name: a, type: teams, url: \"https://x.test/\", hmac_secret: TOPSECRET}\n"
      "  routes: [{channels: [a]}]\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(errors(result).find("TOPSECRET"), std::string::npos);
}

}  // namespace
}  // namespace hc
