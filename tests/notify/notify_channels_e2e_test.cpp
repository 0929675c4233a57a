// `hc notify` end to end, per channel type and per noise control: slack, teams, pagerduty and
// email (an SMTP receiver) against local receivers; for_s, grouping and silences.
#include <nlohmann/json.hpp>

#include "hc/common/url_digest.h"
#include "notify_fixture.h"

namespace hc::notify_test {
namespace {

using namespace std::chrono_literals;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(NotifyChannels, SlackTeamsAndPagerdutyEachGetTheirFormat) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}});
  Receiver receiver;
  e2e::TestProducer producer(broker.bootstrap_servers());
  const std::string url = "https://shop.test/?a=<!here>";
  publish(producer, "healthcheck.events",
          {event(url, SiteStatus::kUp, SiteStatus::kDown, 1'795'000'000'000'000),
           event(url, SiteStatus::kDown, SiteStatus::kUp, 1'795'000'060'000'000)});
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  route_mode: all\n"
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - {name: chat, type: slack, url: \"" +
                           receiver.url("/slack") +
                           "\"}\n"
                           "    - {name: teams, type: teams, url: \"" +
                           receiver.url("/teams") +
                           "\"}\n"
                           "    - {name: pd, type: pagerduty, url: \"" +
                           receiver.url("/pd") +
                           "\", routing_key: !ENV \"${HC_TEST_PD_KEY:-K3Y}\"}\n"
                           "  routes:\n"
                           "    - {channels: [chat]}\n"
                           "    - {channels: [teams, pd]}\n");
  ASSERT_TRUE(test::eventually([&] { return receiver.accepted().size() >= 6; }, 30s))
      << notify.log();
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  std::map<std::string, std::vector<nlohmann::json>> by_path;
  for (const ReceivedRequest& request : receiver.accepted()) {
    by_path[request.path].push_back(nlohmann::json::parse(request.body));
  }
  ASSERT_EQ(by_path["/slack"].size(), 2u);
  EXPECT_EQ(by_path["/slack"][0]["text"],
            "DOWN https://shop.test/?a=&lt;!here&gt; (unexpected_status: HTTP 500; failed: status; "
            "was up 1m 0s)");
  ASSERT_EQ(by_path["/teams"].size(), 2u);
  EXPECT_EQ(by_path["/teams"][1]["attachments"][0]["content"]["body"][0]["text"],
            "UP " + url + " (was down 1m 0s)");
  ASSERT_EQ(by_path["/pd"].size(), 2u);
  EXPECT_EQ(by_path["/pd"][0]["event_action"], "trigger");
  EXPECT_EQ(by_path["/pd"][1]["event_action"], "resolve");
  EXPECT_EQ(by_path["/pd"][0]["dedup_key"], url_digest(url));
  EXPECT_EQ(by_path["/pd"][1]["dedup_key"], url_digest(url));
  EXPECT_EQ(by_path["/pd"][0]["routing_key"], "K3Y");
}

TEST(NotifyChannels, ForSuppressesAFlapAndSendsWhatStaysDown) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}});
  Receiver hook;
  e2e::TestProducer producer(broker.bootstrap_servers());
  const std::int64_t now = now_us();
  publish(producer, "healthcheck.events",
          {// Down for two seconds, then up: a flap within for_s, nothing is sent.
           event("https://flap.test/", SiteStatus::kUp, SiteStatus::kDown, now),
           event("https://flap.test/", SiteStatus::kDown, SiteStatus::kUp, now + 2'000'000),
           // Down since long before for_s: sent at once.
           event("https://old.test/", SiteStatus::kUp, SiteStatus::kDown, now - 60'000'000),
           // Down for 15 s already and staying down: sent once for_s has passed (in ~5 s).
           event("https://stays.test/", SiteStatus::kUp, SiteStatus::kDown, now - 15'000'000)});
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - {name: hook, type: webhook, url: \"" +
                           hook.url() +
                           "\", for_s: 20}\n"
                           "  routes:\n"
                           "    - {channels: [hook]}\n");
  ASSERT_TRUE(test::eventually([&] { return hook.accepted().size() >= 2; }, 30s)) << notify.log();
  const auto [status, metrics] = notify.get("/metrics");
  EXPECT_NE(metrics.find(R"(hc_notifications_total{channel="hook",outcome="suppressed"} 2)"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  const auto received = hook.accepted();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(received[0].body)["url"], "https://old.test/");
  EXPECT_EQ(nlohmann::json::parse(received[1].body)["url"], "https://stays.test/");
}

TEST(NotifyChannels, TwoHundredSitesDownAtOnceGiveOneMessagePerChannel) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 2}});
  Receiver receiver;
  e2e::TestProducer producer(broker.bootstrap_servers());
  std::vector<StateEvent> events;
  events.reserve(200);
  for (int i = 0; i < 200; ++i) {
    events.push_back(event("https://site" + std::to_string(i) + ".test/", SiteStatus::kUp,
                           SiteStatus::kDown, 1'795'000'000'000'000 + i));
  }
  publish(producer, "healthcheck.events", events);
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - {name: hook, type: webhook, url: \"" +
                           receiver.url("/hook") +
                           "\", group_window_s: 3}\n"
                           "    - {name: chat, type: slack, url: \"" +
                           receiver.url("/slack") +
                           "\", group_window_s: 3}\n"
                           "  routes:\n"
                           "    - {channels: [hook, chat]}\n");
  ASSERT_TRUE(test::eventually([&] { return receiver.accepted().size() >= 2; }, 30s))
      << notify.log();
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  const auto received = receiver.accepted();
  ASSERT_EQ(received.size(), 2u) << notify.log();
  for (const ReceivedRequest& request : received) {
    const auto body = nlohmann::json::parse(request.body);
    if (request.path == "/hook") {
      ASSERT_EQ(body["events"].size(), 200u);
      std::set<std::string> urls;
      for (const auto& one : body["events"]) urls.insert(one["url"]);
      EXPECT_EQ(urls.size(), 200u);
    } else {
      const std::string text = body["text"];
      EXPECT_EQ(text.rfind("DOWN: 200 sites\n", 0), 0u) << text.substr(0, 100);
      for (int i = 0; i < 200; ++i) {
        EXPECT_NE(text.find("https://site" + std::to_string(i) + ".test/ "), std::string::npos);
      }
    }
  }
}

TEST(NotifyChannels, SilencesHoldInTheirTimeZone) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}});
  Receiver hook;
  e2e::TestProducer producer(broker.bootstrap_servers());
  // 2026-11-18T11:06:40Z is a Wednesday, 12:06 in Berlin.
  const std::int64_t wednesday_noon_berlin = 1'795'000'000'000'000;
  publish(producer, "healthcheck.events",
          {event("https://berlin.test/", SiteStatus::kUp, SiteStatus::kDown, wednesday_noon_berlin),
           event("https://utc.test/", SiteStatus::kUp, SiteStatus::kDown, wednesday_noon_berlin),
           event("https://range.test/", SiteStatus::kUp, SiteStatus::kDown, wednesday_noon_berlin),
           event("https://loud.test/", SiteStatus::kUp, SiteStatus::kDown, wednesday_noon_berlin)});
  NotifyProcess notify(
      dir.path(), "notify", broker.bootstrap_servers(),
      "  events_topics: [healthcheck.events]\n"
      "  silences:\n"
      "    - {name: berlin-lunch, url_regex: \"berlin\\\\.test\",\n"
      "       weekly: {days: [wed], from: \"12:00\", to: \"13:00\"},\n"
      "       time_zone: Europe/Berlin}\n"
      "    - {name: utc-lunch, url_regex: \"utc\\\\.test\",\n"
      "       weekly: {days: [wed], from: \"12:00\", to: \"13:00\"}}\n"
      "    - {name: upgrade, url_regex: \"range\\\\.test\",\n"
      "       starts_at: \"2026-11-18T11:00:00Z\", ends_at: \"2026-11-18T12:00:00Z\"}\n"
      "  channels:\n"
      "    - {name: hook, type: webhook, url: \"" +
          hook.url() +
          "\"}\n"
          "  routes:\n"
          "    - {channels: [hook]}\n");
  ASSERT_TRUE(test::eventually([&] { return hook.accepted().size() >= 2; }, 30s)) << notify.log();
  std::string metrics;
  EXPECT_TRUE(test::eventually(
      [&] {
        metrics = notify.get("/metrics").second;
        return metrics.find(R"(hc_notifications_total{channel="hook",outcome="silenced"} 2)") !=
               std::string::npos;
      },
      10s))
      << metrics;
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  std::set<std::string> urls;
  for (const ReceivedRequest& request : hook.accepted()) {
    urls.insert(nlohmann::json::parse(request.body)["url"]);
  }
  // 11:06 UTC is outside the UTC window: only Berlin's and the range's hold.
  EXPECT_EQ(urls, (std::set<std::string>{"https://utc.test/", "https://loud.test/"}));
  EXPECT_NE(notify.log().find("silence=berlin-lunch"), std::string::npos);
}

TEST(NotifyChannels, EmailGoesThroughSmtpWithTextAndEscapedHtml) {
  if (!std::filesystem::exists("/usr/bin/python3") ||
      test::run_command({"/usr/bin/python3", "-c", "import aiosmtpd"}).exit_code != 0) {
    GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/lib/deps.sh HC_TEST_PACKAGES)";
  }
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}});
  const int smtp_port = test::unused_loopback_port();
  const auto maildir = dir.path() / "maildir";
  test::ChildProcess::Options smtp_options;
  smtp_options.stdout_file = dir.path() / "smtp.log";
  smtp_options.stderr_file = dir.path() / "smtp.log";
  // Debian's python3-aiosmtpd works with the system python only.
  test::ChildProcess smtp(
      {"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(smtp_port),
       "-c", "aiosmtpd.handlers.Mailbox", maildir.string()},
      smtp_options);
  e2e::TestProducer producer(broker.bootstrap_servers());
  const std::string url = "https://x.test/?q=<script>";
  publish(producer, "healthcheck.events",
          {event(url, SiteStatus::kUp, SiteStatus::kDown, 1'795'000'000'000'000)});
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - name: mail\n"
                       "      type: email\n"
                       "      url: \"smtp://127.0.0.1:" +
                           std::to_string(smtp_port) +
                           "\"\n"
                           "      smtp_allow_plaintext: true\n"
                           "      mail_from: hc@example.test\n"
                           "      mail_to: [ops@example.test, oncall@example.test]\n"
                           "      initial_backoff_ms: 100\n"
                           "  routes:\n"
                           "    - {channels: [mail]}\n");
  std::string mail;
  ASSERT_TRUE(test::eventually(
      [&] {
        if (!std::filesystem::exists(maildir / "new")) return false;
        for (const auto& entry : std::filesystem::directory_iterator(maildir / "new")) {
          std::ifstream in(entry.path());
          mail.assign(std::istreambuf_iterator<char>(in), {});
          return true;
        }
        return false;
      },
      30s))
      << notify.log();
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  EXPECT_NE(mail.find("Subject: [hc] DOWN " + url), std::string::npos) << mail;
  EXPECT_NE(mail.find("To: ops@example.test, oncall@example.test"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Content-Type: text/plain"), std::string::npos) << mail;
  EXPECT_NE(mail.find("DOWN " + url + " (unexpected_status"), std::string::npos) << mail;
  EXPECT_NE(mail.find("<li>DOWN https://x.test/?q=&lt;script&gt;"), std::string::npos) << mail;
  // The text part and the subject carry the URL as it is; the HTML part only escaped.
  const std::size_t html = mail.find("Content-Type: text/html");
  ASSERT_NE(html, std::string::npos) << mail;
  EXPECT_EQ(mail.find("<script>", html), std::string::npos) << mail;
}

}  // namespace
}  // namespace hc::notify_test
