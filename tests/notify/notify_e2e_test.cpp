// `hc notify` end to end: events on hc-devbroker -> the real binary -> local receivers.
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "hc/test/kafka_test_reader.h"
#include "notify_fixture.h"
#include "state_events_fixture.h"

namespace hc::notify_test {
namespace {

using namespace std::chrono_literals;

std::string hmac_sha256_hex(const std::string& secret, const std::string& message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &size);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", mac[i]);
  return hex;
}

// The metric's value in a Prometheus text exposition, or -1 when absent.
double metric(const std::string& text, const std::string& series) {
  const std::size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(NotifyE2e, PageDownThenUpGivesOneSignedDownAndOneUp) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  Receiver hook;
  // The page: up, down twice, then up for good. The producer turns that into
  // unknown->up, up->down and down->up; the default transitions send the last two.
  e2e::ScriptedPage page("+--+");
  e2e::write_config(dir.path() / "producer.yaml", page.url(), "");
  test::ChildProcess::Options producer_options;
  producer_options.extra_env = {{"KAFKA_BOOTSTRAP_SERVER", broker.bootstrap_servers()}};
  producer_options.stdout_file = dir.path() / "producer.log";
  producer_options.stderr_file = dir.path() / "producer.log";
  test::ChildProcess producer(
      {test::hc_binary().string(), "--producer", "-c", (dir.path() / "producer.yaml").string()},
      producer_options);
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - name: ops-hook\n"
                       "      type: webhook\n"
                       "      url: \"" +
                           hook.url() +
                           "\"\n"
                           "      hmac_secret: !ENV \"${HC_TEST_UNSET_SECRET:-s3cret}\"\n"
                           "      headers: {X-Team: ops}\n"
                           "  routes:\n"
                           "    - match: {url_regex: \".*\"}\n"
                           "      channels: [ops-hook]\n");

  ASSERT_TRUE(test::eventually([&] { return hook.accepted().size() >= 2; }, 60s))
      << "received " << hook.accepted().size() << "\n"
      << notify.log();
  producer.send_signal(SIGTERM);
  EXPECT_EQ(producer.wait_for_exit(20s), 0);
  EXPECT_EQ(notify.stop(), 0) << notify.log();

  const std::vector<ReceivedRequest> received = hook.accepted();
  ASSERT_EQ(received.size(), 2u) << notify.log();
  const auto down = nlohmann::json::parse(received[0].body);
  const auto up = nlohmann::json::parse(received[1].body);
  EXPECT_EQ(down["url"], page.url());
  EXPECT_EQ(down["from"], "up");
  EXPECT_EQ(down["to"], "down");
  EXPECT_EQ(down["cause"]["error"], "unexpected_status");
  EXPECT_EQ(down["cause"]["status_code"], 500);
  EXPECT_EQ(down["check_type"], "http");
  EXPECT_EQ(down["topic"], "healthcheck.events");
  EXPECT_EQ(up["from"], "down");
  EXPECT_EQ(up["to"], "up");
  EXPECT_TRUE(up["cause"].is_null());
  EXPECT_EQ(up["since"], down["at"]);
  EXPECT_NE(down["event_id"], up["event_id"]);
  for (const ReceivedRequest& request : received) {
    const auto body = nlohmann::json::parse(request.body);
    EXPECT_EQ(request.path, "/hook");
    EXPECT_EQ(request.header("X-HC-Event-Id"), body["event_id"]);
    EXPECT_EQ(request.header("X-Team"), "ops");
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    const std::string timestamp = request.header("X-HC-Timestamp");
    EXPECT_EQ(request.header("X-HC-Signature"),
              "sha256=" + hmac_sha256_hex("s3cret", timestamp + "." + request.body));
    EXPECT_NE(request.header("X-HC-Signature"),
              "sha256=" + hmac_sha256_hex("other", timestamp + "." + request.body));
  }
}

TEST(NotifyE2e, ReceiverFailingTwiceGetsOneDeliveryAfterRetries) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}});
  Receiver hook([](std::size_t i) { return i < 2 ? 500 : 200; });
  e2e::TestProducer producer(broker.bootstrap_servers());
  publish(producer, "healthcheck.events",
          {event("https://a.test/", SiteStatus::kUp, SiteStatus::kDown, 1'795'000'000'000'000)});
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - {name: hook, type: webhook, url: \"" +
                           hook.url() +
                           "\", initial_backoff_ms: 50, max_backoff_ms: 200}\n"
                           "  routes:\n"
                           "    - {channels: [hook]}\n");

  ASSERT_TRUE(test::eventually([&] { return !hook.accepted().empty(); }, 30s)) << notify.log();
  std::string metrics;
  ASSERT_TRUE(test::eventually(
      [&] {
        metrics = notify.get("/metrics").second;
        return metric(metrics, R"(hc_notifications_total{channel="hook",outcome="delivered"})") ==
               1;
      },
      10s))
      << metrics;
  EXPECT_EQ(metric(metrics, R"(hc_notifications_total{channel="hook",outcome="retried"})"), 2);
  EXPECT_EQ(metric(metrics, R"(hc_notify_channel_up{channel="hook"})"), 1);
  EXPECT_EQ(notify.get("/healthz").first, 200);
  EXPECT_EQ(notify.stop(), 0) << notify.log();
  EXPECT_EQ(hook.attempts(), 3u);
  const std::vector<ReceivedRequest> received = hook.accepted();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(received[0].body)["url"], "https://a.test/");
}

TEST(NotifyE2e, ChannelDownForItsWholeBudgetIsDeadLetteredWhileAnotherDelivers) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}, {"notify.dlq", 1}});
  Receiver live;
  const std::string nobody = "http://127.0.0.1:" + std::to_string(test::unused_loopback_port());
  e2e::TestProducer producer(broker.bootstrap_servers());
  std::vector<StateEvent> events;
  events.reserve(3);
  for (int i = 0; i < 3; ++i) {
    events.push_back(event("https://site" + std::to_string(i) + ".test/", SiteStatus::kUp,
                           SiteStatus::kDown, 1'795'000'000'000'000 + i));
  }
  publish(producer, "healthcheck.events", events);
  const std::string yaml =
      "  events_topics: [healthcheck.events]\n"
      "  channels:\n"
      "    - {name: dead, type: webhook, url: \"" +
      nobody +
      "/hook\", max_attempts: 3, "
      "initial_backoff_ms: 50, max_backoff_ms: 100}\n"
      "    - {name: live, type: webhook, url: \"" +
      live.url() +
      "\"}\n"
      "  routes:\n"
      "    - {match: {transitions: [\"*->*\"]}, channels: [dead, live]}\n";
  std::optional<NotifyProcess> notify;
  notify.emplace(dir.path(), "notify", broker.bootstrap_servers(), yaml);

  ASSERT_TRUE(test::eventually([&] { return live.accepted().size() >= 3; }, 30s)) << notify->log();
  const std::vector<test::KafkaRecord> letters =
      test::read_topic(broker.bootstrap_servers(), "notify.dlq", 1, 3);
  ASSERT_EQ(letters.size(), 3u) << notify->log();
  for (std::size_t i = 0; i < letters.size(); ++i) {
    EXPECT_EQ(letters[i].key, events[i].url);
    const auto decoded = decode_state_event(letters[i].value);
    ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded));
    EXPECT_EQ(std::get<StateEvent>(decoded), events[i]);
    EXPECT_EQ(letters[i].header("hc-notify-channel"), "dead");
    EXPECT_EQ(letters[i].header("hc-notify-attempts"), "3");
    EXPECT_NE(letters[i].header("hc-dlq-detail").find("onnect"), std::string::npos)
        << letters[i].header("hc-dlq-detail");
    EXPECT_EQ(letters[i].header("hc-source-offset"), std::to_string(i));
  }
  const auto [health_status, health] = notify->get("/healthz");
  EXPECT_EQ(health_status, 503);
  EXPECT_NE(health.find("channel dead down"), std::string::npos) << health;
  const std::string metrics = notify->get("/metrics").second;
  EXPECT_EQ(metric(metrics, R"(hc_notifications_total{channel="dead",outcome="dead_lettered"})"),
            3);
  EXPECT_EQ(metric(metrics, R"(hc_notify_channel_up{channel="dead"})"), 0);
  EXPECT_EQ(notify->stop(), 0) << notify->log();

  // Everything was complete, so committed: a new member starts after it. One partition, so a
  // repeat of the first three would arrive before the fourth.
  notify.reset();
  notify.emplace(dir.path(), "notify2", broker.bootstrap_servers(), yaml);
  publish(
      producer, "healthcheck.events",
      {event("https://site3.test/", SiteStatus::kUp, SiteStatus::kDown, 1'795'000'000'000'003)});
  ASSERT_TRUE(test::eventually([&] { return live.accepted().size() >= 4; }, 30s)) << notify->log();
  EXPECT_EQ(notify->stop(), 0);
  ASSERT_EQ(live.accepted().size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(live.accepted()[3].body)["url"], "https://site3.test/");
}

}  // namespace
}  // namespace hc::notify_test
