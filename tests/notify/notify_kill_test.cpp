// SIGKILL of `hc notify` at random points loses no notification: every event is delivered at
// least once, and a repeat is the same request (same event id, same body).
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "notify_fixture.h"

namespace hc::notify_test {
namespace {

using namespace std::chrono_literals;

TEST(NotifyKill, SigkillAtRandomPointsLosesNoNotification) {
  constexpr int kSites = 20;
  constexpr int kKills = 10;
  test::TempDir dir;
  test::DevBroker broker({{"healthcheck.events", 2}});
  // Every third request fails once, so kills also land between a failure and its retry.
  // Each answer takes 30 ms, so the deliveries span the kills.
  Receiver hook([](std::size_t i) { return i % 3 == 2 ? 503 : 200; }, 30ms);
  e2e::TestProducer producer(broker.bootstrap_servers());
  std::vector<StateEvent> events;
  for (int i = 0; i < kSites; ++i) {
    const std::string url = "https://site" + std::to_string(i) + ".test/";
    events.push_back(event(url, SiteStatus::kUp, SiteStatus::kDown, 1'795'000'000'000'000 + i));
    events.push_back(event(url, SiteStatus::kDown, SiteStatus::kUp, 1'795'000'100'000'000 + i));
  }
  publish(producer, "healthcheck.events", events);
  // A short session (3 s: the dev broker never lets a member with 1 s join), so the group
  // hands a killed member's partitions over quickly.
  NotifyProcess notify(dir.path(), "notify", broker.bootstrap_servers(),
                       "  events_topics: [healthcheck.events]\n"
                       "  channels:\n"
                       "    - {name: hook, type: webhook, url: \"" +
                           hook.url() +
                           "\", initial_backoff_ms: 20, max_backoff_ms: 50, max_attempts: 100}\n"
                           "  routes:\n"
                           "    - {channels: [hook]}\n",
                       3000);

  // Each kill comes at a random point after the new member has begun to deliver (it first
  // has to join the group), so it lands between or during requests and retries.
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> run_ms(0, 200);
  for (int kill = 0; kill < kKills; ++kill) {
    const std::size_t attempts_before = hook.attempts();
    if (!test::eventually([&] { return hook.attempts() > attempts_before; }, 30s)) {
      ASSERT_TRUE(notify.process().running()) << notify.log();
      break;  // everything delivered before this kill
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms(random)));
    notify.kill();
    notify.start();
  }
  auto distinct_ids = [&] {
    std::set<std::string> ids;
    for (const ReceivedRequest& request : hook.accepted())
      ids.insert(request.header("X-HC-Event-Id"));
    return ids.size();
  };
  ASSERT_TRUE(test::eventually([&] { return distinct_ids() >= events.size(); }, 90s))
      << distinct_ids() << " of " << events.size() << " delivered\n"
      << notify.log();
  EXPECT_EQ(notify.stop(), 0) << notify.log();

  std::map<std::string, std::string> body_by_id;
  std::size_t repeats = 0;
  for (const ReceivedRequest& request : hook.accepted()) {
    const std::string id = request.header("X-HC-Event-Id");
    EXPECT_EQ(nlohmann::json::parse(request.body)["event_id"], id);
    auto [known, fresh] = body_by_id.emplace(id, request.body);
    if (!fresh) {
      ++repeats;
      EXPECT_EQ(known->second, request.body) << "a repeat differs from the first delivery";
    }
  }
  EXPECT_EQ(body_by_id.size(), events.size());
  std::set<std::string> urls_down;
  for (const auto& [id, body] : body_by_id) {
    const auto json = nlohmann::json::parse(body);
    if (json["to"] == "down") urls_down.insert(json["url"]);
  }
  EXPECT_EQ(urls_down.size(), static_cast<std::size_t>(kSites));
  std::cout << "[ figures  ] " << events.size() << " events, " << kKills
            << " kills: " << hook.accepted().size() << " deliveries accepted, " << repeats
            << " repeats (same event id and body), " << hook.attempts() << " requests\n";
}

}  // namespace
}  // namespace hc::notify_test
