// Runtime silences end to end: a silence POSTed to the built `hc serve` lands in the silences
// topic, the running `hc notify` follows it and records a matching DOWN event as silenced
// (counted, logged, never sent to the receiver); DELETE ends it and the next DOWN is sent.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "notify_fixture.h"

namespace hc::notify_test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "silence-token-0123456789";

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::set<std::string> urls_of(const std::vector<ReceivedRequest>& requests) {
  std::set<std::string> urls;
  for (const ReceivedRequest& request : requests) {
    urls.insert(nlohmann::json::parse(request.body)["url"].get<std::string>());
  }
  return urls;
}

TEST(NotifySilencesE2e, ARuntimeSilenceHoldsUntilDeleted) {
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 1}, {"notify.silences", 1}});
  Receiver hook;
  e2e::TestProducer producer(broker.bootstrap_servers());
  const std::string notify_body =
      "  events_topics: [healthcheck.events]\n"
      "  channels:\n"
      "    - {name: hook, type: webhook, url: \"" +
      hook.url() +
      "\"}\n"
      "  routes:\n"
      "    - {channels: [hook]}\n";
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(), notify_body);

  // hc serve with the same notify section (where the silences go) and a token.
  const auto serve_config = dir.path() / "serve.yaml";
  std::ofstream(serve_config) << "healthcheck-consumer-config:\n"
                              << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                              << "  topics:\n"
                              << "    - source_topic: checks\n"
                              << "      connection_uri: \"postgresql://postgres@127.0.0.1:9/x\"\n"
                              << "      table_name: checks\n"
                              << "healthcheck-notify-config:\n"
                              << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                              << notify_body << "healthcheck-serve-config:\n"
                              << "  api_token: \"" << kToken << "\"\n";
  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(serve_config, dir, port);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(20s);
  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kToken}};
  const auto serve_log = [&] { return test::read_file(dir.path() / "serve.log"); };
  ASSERT_TRUE(test::eventually(
      [&] {
        auto health = client.Get("/healthz");
        return health && health->status == 200;
      },
      20s))
      << serve_log();

  auto refused =
      client.Post("/api/v1/silences", bearer, R"({"url_regex": "("})", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(nlohmann::json::parse(refused->body)["errors"][0]["field"], "url_regex");

  auto created =
      client.Post("/api/v1/silences", bearer,
                  R"({"url_regex": "quiet\\.test", "duration": "1h", "comment": "maintenance",
          "created_by": "e2e"})",
                  "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body << serve_log();
  const std::string id = nlohmann::json::parse(created->body)["id"];
  ASSERT_TRUE(test::eventually(
      [&] { return notify.log().find("silence=" + id) != std::string::npos; }, 20s))
      << notify.log();

  // One partition: the quiet site's event is admitted before the loud one is delivered.
  publish(producer, "healthcheck.events",
          {event("https://quiet.test/", SiteStatus::kUp, SiteStatus::kDown, now_us()),
           event("https://loud.test/", SiteStatus::kUp, SiteStatus::kDown, now_us())});
  ASSERT_TRUE(test::eventually([&] { return hook.accepted().size() >= 1; }, 30s)) << notify.log();
  std::string metrics;
  EXPECT_TRUE(test::eventually(
      [&] {
        metrics = notify.get("/metrics").second;
        return metrics.find(R"(hc_notifications_total{channel="hook",outcome="silenced"} 1)") !=
               std::string::npos;
      },
      10s))
      << metrics;
  EXPECT_EQ(urls_of(hook.accepted()), (std::set<std::string>{"https://loud.test/"}));

  auto listed = client.Get("/api/v1/silences");
  ASSERT_TRUE(listed);
  const auto silences = nlohmann::json::parse(listed->body)["silences"];
  ASSERT_EQ(silences.size(), 1U) << listed->body;
  EXPECT_EQ(silences[0]["state"], "active");

  auto deleted = client.Delete("/api/v1/silences/" + id, bearer);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  ASSERT_TRUE(test::eventually(
      [&] { return notify.log().find("runtime silence ended") != std::string::npos; }, 20s))
      << notify.log();
  publish(producer, "healthcheck.events",
          {event("https://quiet.test/", SiteStatus::kDown, SiteStatus::kUp, now_us()),
           event("https://quiet.test/", SiteStatus::kUp, SiteStatus::kDown, now_us() + 1000)});
  ASSERT_TRUE(test::eventually([&] { return hook.accepted().size() >= 3; }, 30s)) << notify.log();
  EXPECT_EQ(urls_of(hook.accepted()),
            (std::set<std::string>{"https://loud.test/", "https://quiet.test/"}));
  EXPECT_EQ(notify.stop(), 0) << notify.log();
}

}  // namespace
}  // namespace hc::notify_test
