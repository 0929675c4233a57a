// Fleet mode through the built binaries against hc-devbroker: `hc --producer` takes its sites
// from the sites topic; `hc sites add` makes a site checked (requests at a local server,
// messages on its destination topic) and `hc sites remove` stops its checks. A site that
// moves to another producer keeps its state: the new owner restores it from the events topic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <variant>

#include "hc/common/state_event.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"
#include "producer_run.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Request times per path, as the target server saw them.
class RequestLog {
 public:
  void record(const std::string& path) {
    std::lock_guard lock(mutex_);
    times_[path].push_back(Clock::now());
  }
  std::vector<Clock::time_point> times(const std::string& path) {
    std::lock_guard lock(mutex_);
    return times_[path];
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<Clock::time_point>> times_;
};

class Fleet : public ::testing::Test {
 protected:
  Fleet() : broker_({{"hc.sites", 3}, {"checks", 2}, {"checks.events", 2}}) {
    web_.server().Get(R"(/site/.*)",
                      [this](const httplib::Request& request, httplib::Response& response) {
                        requests_.record(request.path);
                        const bool fail = request.path == "/site/failing" && failing_.load();
                        response.status = fail ? 500 : 200;
                        response.set_content(fail ? "broken" : "ok", "text/plain");
                      });
    web_.start();
    config_ = dir_.path() / "config.yaml";
    std::ofstream(config_) << "healthcheck-producer-config:\n"
                           << "  bootstrap_servers: [\"" << broker_.bootstrap_servers() << "\"]\n"
                           << "  sites_topic: hc.sites\n"
                           << "  session_timeout_ms: 6000\n"
                           << "  defaults: {destination_topic: checks}\n";
  }

  test::CommandResult sites(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "sites");
    arguments.insert(arguments.begin() + 2, {"-c", config_.string()});
    return test::run_hc(arguments);
  }

  // The state-change events on checks.events, in publishing order (one site: one partition).
  std::vector<StateEvent> events(std::size_t expected, milliseconds idle) {
    std::vector<StateEvent> events;
    for (const auto& record :
         test::read_topic(broker_.bootstrap_servers(), "checks.events", 2, expected, idle)) {
      auto decoded = decode_state_event(record.value);
      if (!std::holds_alternative<StateEvent>(decoded)) {
        ADD_FAILURE() << std::get<Poison>(decoded).detail << ": " << record.value;
        continue;
      }
      events.push_back(std::get<StateEvent>(std::move(decoded)));
    }
    return events;
  }

  std::atomic<bool> failing_{false};  // /site/failing answers 500 while set
  test::TempDir dir_;
  test::DevBroker broker_;
  test::LocalHttpServer web_;
  RequestLog requests_;
  std::filesystem::path config_;
};

TEST_F(Fleet, AddedSiteIsCheckedAndRemovedSiteStops) {
  // One site before the producer starts: read from the beginning of its partition.
  const std::string early = web_.url("/site/early");
  ASSERT_EQ(sites({"add", early, "--polling-interval-in-seconds", "1"}).exit_code, 0);
  test::ChildProcess producer = start_producer(broker_, config_);
  const auto log = [&] { return read_file(dir_.path() / "hc.log"); };
  ASSERT_TRUE(
      test::eventually([&] { return !requests_.times("/site/early").empty(); }, seconds(20)))
      << log();

  const std::string live = web_.url("/site/live");
  const Clock::time_point added_at = Clock::now();
  test::CommandResult added = sites({"add", live, "--polling-interval-in-seconds", "1"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  ASSERT_TRUE(test::eventually([&] { return !requests_.times("/site/live").empty(); }, seconds(10)))
      << log();
  const auto first_check = requests_.times("/site/live").front();
  // The issue's bound is 2 s from the record; `hc sites add` itself (a Kafka client's start
  // and the acknowledged write) is inside this measurement.
  EXPECT_LT(first_check - added_at, seconds(3)) << log();

  ASSERT_TRUE(
      test::eventually([&] { return requests_.times("/site/live").size() >= 3; }, seconds(10)));
  const Clock::time_point removed_at = Clock::now();
  test::CommandResult removed = sites({"remove", live});
  ASSERT_EQ(removed.exit_code, 0) << removed.output;
  std::this_thread::sleep_for(seconds(4));  // a window in which no check may come
  for (const Clock::time_point at : requests_.times("/site/live")) {
    EXPECT_LT(at - removed_at, seconds(2)) << "checked after its removal";
  }
  // The other site kept going.
  const std::size_t early_checks = requests_.times("/site/early").size();
  EXPECT_TRUE(test::eventually([&] { return requests_.times("/site/early").size() > early_checks; },
                               seconds(5)));

  ProducerRun run = stop_producer(producer, config_, Clock::now());
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_THAT(run.log, ::testing::HasSubstr("fleet: assigned partition(s) 0,1,2 of hc.sites"));
  // What it checked was published, keyed by URL.
  std::set<std::string> keys;
  for (const auto& record :
       test::read_topic(broker_.bootstrap_servers(), "checks", 2, 1000, seconds(2))) {
    keys.insert(record.key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{early, live}));
}

std::string transitions(const std::vector<StateEvent>& events) {
  std::string out;
  for (const StateEvent& event : events) {
    out += std::string(status_name(event.from)) + "->" + std::string(status_name(event.to)) + " ";
  }
  return out;
}

// Producer A judges a site down and is SIGKILLed; B takes its partition over. B restores the
// site's state before its first check: no second "down" while the site stays down, and when it
// comes back exactly one down->up, spanning the move (since = A's event's time).
TEST_F(Fleet, StateChangesStayExactWhenASiteMovesToAnotherProducer) {
  failing_ = true;
  const std::string url = web_.url("/site/failing");
  ASSERT_EQ(
      sites({"add", url, "--polling-interval-in-seconds", "1", "--timeout-ms", "1000"}).exit_code,
      0);
  test::ChildProcess a = start_producer(broker_, config_);
  std::vector<StateEvent> seen;
  ASSERT_TRUE(test::eventually(
      [&] {
        seen = events(1, milliseconds(500));
        return !seen.empty();
      },
      seconds(30)))
      << read_file(dir_.path() / "hc.log");
  ASSERT_EQ(transitions(seen), "unknown->down ");
  a.send_signal(SIGKILL);
  ASSERT_EQ(a.wait_for_exit(seconds(10)), 128 + SIGKILL);
  const std::size_t checks_by_a = requests_.times("/site/failing").size();

  // B: the same config in its own directory (its own log).
  const std::filesystem::path b_dir = dir_.path() / "b";
  std::filesystem::create_directories(b_dir);
  std::filesystem::copy_file(config_, b_dir / "config.yaml");
  test::ChildProcess b = start_producer(broker_, b_dir / "config.yaml");
  const auto b_log = [&] { return read_file(b_dir / "hc.log"); };
  // Takes over after A's session expired; two checks of the still failing site.
  ASSERT_TRUE(test::eventually(
      [&] { return requests_.times("/site/failing").size() >= checks_by_a + 2; }, seconds(40)))
      << b_log();
  failing_ = false;
  const std::size_t checks_while_down = requests_.times("/site/failing").size();
  ASSERT_TRUE(test::eventually(
      [&] { return requests_.times("/site/failing").size() >= checks_while_down + 2; },
      seconds(20)))
      << b_log();
  ProducerRun run = stop_producer(b, b_dir / "config.yaml", Clock::now());
  EXPECT_EQ(run.exit_code, 0) << run.log;

  const std::vector<StateEvent> all = events(3, seconds(2));
  ASSERT_EQ(transitions(all), "unknown->down down->up ") << run.log;
  EXPECT_EQ(all[1].since, all[0].at);
  EXPECT_NE(all[1].producer, all[0].producer);
}

TEST_F(Fleet, ShardIsRefusedInFleetMode) {
  test::CommandResult run = test::run_hc({"--producer", "-c", config_.string(), "--shard", "0/2"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, ::testing::HasSubstr("--shard applies to file mode only"));
}

}  // namespace
}  // namespace hc
