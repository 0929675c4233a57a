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

TEST(NotifyConfig, EmailNoiseControlsAndSilences) {
  const auto result = parse(
      "  public_url: \"http://127.0.0.1:8080\"\n"
      "  channels:\n"
      "    - {name: mail, type: email, url: \"smtps://mail.test:465\", mail_from: hc@x.test,\n"
      "       mail_to: ops@x.test, smtp_username: hc, smtp_password: !ENV \"${PW}\",\n"
      "       for_s: 120, repeat_every_s: 3600, group_window_s: 30, rate_limit_per_minute: 10,\n"
      "       template: \"{to}: {url} ({cause}) {page}\"}\n"
      "  routes: [{channels: [mail]}]\n"
      "  silences:\n"
      "    - {name: nightly, url_regex: \"db\\\\.\", time_zone: Europe/Berlin,\n"
      "       weekly: {days: [sat, sun], from: \"22:00\", to: \"02:00\"}}\n"
      "    - {name: upgrade, url_regex: \".*\", starts_at: \"2026-12-24T22:00:00Z\",\n"
      "       ends_at: \"2026-12-25T02:00:00Z\"}\n",
      {{"PW", "pw"}});
  ASSERT_TRUE(result.ok()) << errors(result);
  const NotifyConfig& notify = *result.config->notify;
  const NotifyChannel& mail = notify.channels[0];
  EXPECT_EQ(mail.type, ChannelType::kEmail);
  EXPECT_EQ(mail.mail_to, std::vector<std::string>{"ops@x.test"});
  EXPECT_EQ(mail.smtp_password, "pw");
  EXPECT_EQ(mail.for_s, std::chrono::seconds(120));
  EXPECT_EQ(mail.repeat_every, std::chrono::seconds(3600));
  EXPECT_EQ(mail.group_window, std::chrono::seconds(30));
  EXPECT_EQ(mail.rate_limit_per_minute, 10);
  ASSERT_EQ(notify.silences.size(), 2u);
  EXPECT_EQ(notify.silences[0].weekdays, (std::vector<int>{6, 0}));
  EXPECT_EQ(notify.silences[0].window_start_minute, 22 * 60);
  EXPECT_EQ(notify.silences[0].window_end_minute, 2 * 60);
  EXPECT_EQ(notify.silences[0].time_zone, "Europe/Berlin");
  EXPECT_TRUE(notify.silences[1].starts_at.has_value());
}

TEST(NotifyConfig, NoiseAndSilenceMistakes) {
  const auto result = parse(
      "  channels:\n"
      "    - {name: pd, type: pagerduty, routing_key: k, group_window_s: 10}\n"
      "    - {name: mail, type: email, url: \"http://x.test/\", mail_to: [a@x.test]}\n"
      "    - {name: hook, type: webhook, url: \"http://x.test/\", template: \"{nope}\",\n"
      "       mail_from: a@x.test}\n"
      "  routes: [{channels: [pd]}]\n"
      "  silences:\n"
      "    - {name: a, url_regex: x, time_zone: Mars/Olympus, weekly: {from: \"25:00\", to: "
      "\"01:00\"}}\n"
      "    - {name: b, url_regex: x}\n");
  const std::string text = errors(result);
  EXPECT_NE(text.find("group_window_s does not apply to pagerduty"), std::string::npos) << text;
  EXPECT_NE(text.find("channels[1].url: expected an SMTP server URL"), std::string::npos) << text;
  EXPECT_NE(text.find("missing required key 'mail_from'"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown template field '{nope}'"), std::string::npos) << text;
  EXPECT_NE(text.find("mail_from applies to email channels only"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown time zone 'Mars/Olympus'"), std::string::npos) << text;
  EXPECT_NE(text.find("expected a time of day HH:MM"), std::string::npos) << text;
  EXPECT_NE(text.find("a silence needs starts_at/ends_at, a weekly window, or both"),
            std::string::npos)
      << text;
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
