#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "channel_request.h"
#include "event_id.h"
#include "hc/common/url_digest.h"
#include "message_template.h"
#include "summary_text.h"
#include "webhook_signature.h"

namespace hc::notify {
namespace {

NotifyChannel named(const std::string& name) {
  NotifyChannel channel;
  channel.name = name;
  return channel;
}

Notification down(const std::string& url = "https://shop.test/") {
  Notification notification;
  notification.topic = "healthcheck.events";
  notification.event.url = url;
  notification.event.from = SiteStatus::kUp;
  notification.event.to = SiteStatus::kDown;
  notification.event.at = WallTime(std::chrono::microseconds(1'795'000'000'000'000));
  notification.event.since = WallTime(std::chrono::microseconds(1'794'999'800'000'000));
  notification.event.previous_duration_s = 200;
  notification.event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
  notification.event_id = event_id(notification.event);
  return notification;
}

Notification up() {
  Notification notification = down();
  notification.event.from = SiteStatus::kDown;
  notification.event.to = SiteStatus::kUp;
  notification.event.cause.reset();
  notification.event_id = event_id(notification.event);
  return notification;
}

ChannelRequest render_one(const NotifyChannel& channel, const Notification& notification,
                          std::int64_t now_unix_s = 1) {
  const Notification* one[] = {&notification};
  return render_request(channel, one, RenderContext{now_unix_s, ""});
}

std::string header(const ChannelRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "<missing>";
}

TEST(EventId, SameChangeSameIdOtherChangeOtherId) {
  EXPECT_EQ(event_id(down().event), event_id(down().event));
  EXPECT_EQ(event_id(down().event).size(), 64u);
  EXPECT_NE(event_id(down().event), event_id(up().event));
  StateEvent later = down().event;
  later.at += std::chrono::microseconds(1);
  EXPECT_NE(event_id(later), event_id(down().event));
}

TEST(WebhookFormat, BodyHasTheDocumentedFieldsAndTheSignatureCoversTimestampAndBody) {
  NotifyChannel channel = named("hook");
  channel.hmac_secret = "s3cret";
  channel.headers = {{"Authorization", "Bearer x"}};
  const ChannelRequest request = render_one(channel, down(), 1'795'000'000);
  const auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["event_id"], down().event_id);
  EXPECT_EQ(body["url"], "https://shop.test/");
  EXPECT_EQ(body["from"], "up");
  EXPECT_EQ(body["to"], "down");
  EXPECT_EQ(body["at"], "2026-11-18T11:06:40.000000Z");
  EXPECT_EQ(body["cause"]["failed_conditions"], nlohmann::json::array({"status"}));
  EXPECT_EQ(body["cause"]["error_detail"], "HTTP 500");
  EXPECT_EQ(body["previous_duration_s"], 200);
  EXPECT_EQ(header(request, "X-HC-Event-Id"), down().event_id);
  EXPECT_EQ(header(request, "X-HC-Timestamp"), "1795000000");
  EXPECT_EQ(header(request, "X-HC-Signature"),
            webhook_signature("s3cret", 1'795'000'000, request.body));
  EXPECT_NE(webhook_signature("s3cret", 1'795'000'001, request.body),
            webhook_signature("s3cret", 1'795'000'000, request.body));
  EXPECT_EQ(header(request, "Authorization"), "Bearer x");
}

TEST(WebhookFormat, UnsignedWithoutSecret) {
  const ChannelRequest request = render_one(named("hook"), down());
  EXPECT_EQ(header(request, "X-HC-Signature"), "<missing>");
}

TEST(WebhookSignature, KnownVector) {
  // echo -n '1.{}' | openssl dgst -sha256 -hmac key
  EXPECT_EQ(webhook_signature("key", 1, "{}"),
            "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224");
}

TEST(SlackFormat, MrkdwnControlCharactersAreEscaped) {
  NotifyChannel channel = named("chat");
  channel.type = ChannelType::kSlack;
  Notification notification = down("https://x.test/?a=<!channel>&b");
  const auto body = nlohmann::json::parse(render_one(channel, notification).body);
  const std::string text = body["text"];
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_NE(text.find("&lt;!channel&gt;&amp;b"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("DOWN https://x.test/", 0), 0u) << text;
}

TEST(TeamsFormat, OneAdaptiveCardWithTheSummary) {
  NotifyChannel channel = named("teams");
  channel.type = ChannelType::kTeams;
  const auto body = nlohmann::json::parse(render_one(channel, up()).body);
  EXPECT_EQ(body["type"], "message");
  const auto& card = body["attachments"][0]["content"];
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["body"][0]["text"], "UP https://shop.test/ (was down 3m 20s)");
}

TEST(PagerdutyFormat, TriggerOnDownResolveOnUpWithTheUrlsDedupKey) {
  NotifyChannel channel = named("pd");
  channel.type = ChannelType::kPagerduty;
  channel.routing_key = "R0UT1NG";
  const auto trigger = nlohmann::json::parse(render_one(channel, down()).body);
  const auto resolve = nlohmann::json::parse(render_one(channel, up()).body);
  EXPECT_EQ(trigger["event_action"], "trigger");
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(trigger["routing_key"], "R0UT1NG");
  EXPECT_EQ(trigger["dedup_key"], url_digest("https://shop.test/"));
  EXPECT_EQ(resolve["dedup_key"], trigger["dedup_key"]);
  EXPECT_EQ(trigger["payload"]["source"], "https://shop.test/");
  EXPECT_EQ(trigger["payload"]["severity"], "critical");
  EXPECT_EQ(trigger["payload"]["custom_details"]["event_id"], down().event_id);
}

TEST(GroupFormats, OneMessageNamesEverySite) {
  std::vector<Notification> events;
  events.reserve(3);
  for (int i = 0; i < 3; ++i) events.push_back(down("https://s" + std::to_string(i) + ".test/"));
  std::vector<const Notification*> group;
  group.reserve(events.size());
  for (const Notification& event : events) group.push_back(&event);
  NotifyChannel hook = named("hook");
  const ChannelRequest webhook = render_request(hook, group, RenderContext{1, ""});
  const auto body = nlohmann::json::parse(webhook.body);
  EXPECT_EQ(body["type"], "state_change_group");
  ASSERT_EQ(body["events"].size(), 3u);
  EXPECT_EQ(body["events"][2]["url"], "https://s2.test/");
  EXPECT_EQ(body["event_id"], group_id(group));
  EXPECT_EQ(header(webhook, "X-HC-Event-Id"), group_id(group));
  NotifyChannel chat = named("chat");
  chat.type = ChannelType::kSlack;
  chat.template_text = "*{to}* <{page}|{url}>";
  const std::string text = nlohmann::json::parse(
      render_request(chat, group, RenderContext{1, "http://hc.test"}).body)["text"];
  EXPECT_EQ(text.substr(0, text.find('\n')), "DOWN: 3 sites");
  EXPECT_NE(
      text.find(
          "*down* <http://hc.test/api/v1/sites/https%3A%2F%2Fs1.test%2F/history|https://s1.test/>"),
      std::string::npos)
      << text;
}

TEST(Templates, ValuesAreEscapedForTheFormatAndTheTemplateTextIsNot) {
  const Notification event = down("https://x.test/?q=<b>&z");
  EXPECT_EQ(render_template("<i>{url}</i> {{literal}} {cause}", event, "", html_escape),
            "<i>https://x.test/?q=&lt;b&gt;&amp;z</i> {literal} unexpected_status: HTTP 500");
  EXPECT_EQ(render_template("{url}", event, "", slack_escape), "https://x.test/?q=&lt;b&gt;&amp;z");
  EXPECT_EQ(render_template("{duration}|{failed_conditions}|{page}", event, "", no_escaping),
            "3m 20s|status|");
}

TEST(SummaryText, NamesCauseConditionsAndDuration) {
  EXPECT_EQ(summary_text(down()),
            "DOWN https://shop.test/ (unexpected_status: HTTP 500; failed: status; was up 3m "
            "20s)");
  EXPECT_EQ(format_duration(59), "59s");
  EXPECT_EQ(format_duration(7500), "2h 5m");
  EXPECT_EQ(format_duration(90000), "1d 1h");
}

}  // namespace
}  // namespace hc::notify
