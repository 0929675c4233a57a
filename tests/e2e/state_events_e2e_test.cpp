// State changes end to end: `hc --producer` checks a local page whose answers the test
// scripts (200 or 500, request by request), publishes to hc-devbroker, and the events topic
// is read back and compared with the measurements of the same run.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "consumer_e2e_fixture.h"
#include "hc/common/message.h"
#include "hc/common/state_event.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"
#include "state_events_fixture.h"

namespace hc {
namespace {

using e2e::read_file;
using e2e::run_producer_until;
using e2e::ScriptedPage;
using e2e::write_config;
using std::chrono::seconds;

// The events on the topic, in publishing order (one site: one partition). `garbage`: how
// many records the test itself put there that are no events (skipped; any other fails).
std::vector<StateEvent> events_on_topic(const test::DevBroker& broker, std::size_t expected,
                                        std::size_t garbage = 0) {
  std::vector<StateEvent> events;
  std::size_t skipped = 0;
  for (const auto& record : test::read_topic(broker.bootstrap_servers(), "healthcheck.events", 4,
                                             expected + garbage + 1, seconds(3))) {
    auto decoded = decode_state_event(record.value);
    if (!std::holds_alternative<StateEvent>(decoded)) {
      if (++skipped > garbage)
        ADD_FAILURE() << std::get<Poison>(decoded).detail << ": " << record.value;
      continue;
    }
    EXPECT_EQ(record.key, std::get<StateEvent>(decoded).url);
    events.push_back(std::get<StateEvent>(std::move(decoded)));
  }
  return events;
}

std::vector<Measurement> measurements_on_topic(const test::DevBroker& broker) {
  std::vector<Measurement> measurements;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    if (std::holds_alternative<Measurement>(decoded)) {
      measurements.push_back(std::get<Measurement>(std::move(decoded)));
    }
  }
  return measurements;
}

std::string transitions(const std::vector<StateEvent>& events) {
  std::string out;
  for (const StateEvent& event : events) {
    out += std::string(status_name(event.from)) + "->" + std::string(status_name(event.to)) + " ";
  }
  return out;
}

// With down_after 3: two failures in a row are no change, the third is; the change's time
// is the deciding check's and its cause that check's failure.
TEST(StateEventsEndToEnd, ExactSequenceAndTwoFailuresBelowDownAfterAreNoChange) {
  test::DevBroker broker({{"healthcheck", 4}, {"healthcheck.events", 4}});
  ScriptedPage page("+--+---+");
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  write_config(config, page.url(), "      down_after: 3\n");
  // Delivery is confirmed and counted by the state entered.
  std::string metrics;
  const auto counted = [&](int port) {
    httplib::Client client("127.0.0.1", port);
    return test::eventually(
        [&] {
          auto response = client.Get("/metrics");
          metrics = response ? response->body : "";
          return metrics.find("hc_state_changes_total{to=\"up\"} 2") != std::string::npos &&
                 metrics.find("hc_state_changes_total{to=\"down\"} 1") != std::string::npos;
        },
        seconds(10));
  };
  bool delivered_counted = false;
  const std::string log = run_producer_until(broker, config, page, 8,
                                             [&](int port) { delivered_counted = counted(port); });
  EXPECT_TRUE(delivered_counted) << metrics;

  const std::vector<StateEvent> events = events_on_topic(broker, 3);
  ASSERT_EQ(transitions(events), "unknown->up up->down down->up ") << log;
  const std::vector<Measurement> checks = measurements_on_topic(broker);
  ASSERT_GE(checks.size(), 8u) << log;

  const StateEvent& first = events[0];
  EXPECT_EQ(first.url, page.url());
  EXPECT_EQ(first.at, checks[0].measured_at);
  EXPECT_EQ(first.since, std::nullopt);
  EXPECT_EQ(first.previous_duration_s, std::nullopt);
  EXPECT_EQ(first.cause, std::nullopt);

  const StateEvent& down = events[1];
  EXPECT_EQ(down.at, checks[6].measured_at);  // the third failure in a row
  EXPECT_EQ(down.since, first.at);
  EXPECT_EQ(down.previous_duration_s, std::chrono::floor<seconds>(down.at - first.at).count());
  ASSERT_TRUE(down.cause.has_value());
  EXPECT_EQ(down.cause->failed_conditions, std::vector<std::string>{"status"});
  EXPECT_EQ(down.cause->error, "unexpected_status");
  EXPECT_EQ(down.cause->error_detail, "HTTP 500");
  EXPECT_EQ(down.cause->status_code, 500);
  EXPECT_FALSE(down.producer.empty());

  const StateEvent& up = events[2];
  EXPECT_EQ(up.at, checks[7].measured_at);
  EXPECT_EQ(up.since, down.at);
  EXPECT_EQ(up.cause, std::nullopt);
  EXPECT_NE(log.find("state change up -> down"), std::string::npos) << log;
}

// A restart in the middle of a DOWN period: the new process restores "down since T" from the
// events topic, announces nothing while the page stays broken, and its down->up carries T
// and the whole duration across the restart.
TEST(StateEventsEndToEnd, RestartWhileDownEmitsNothingAndTheNextUpSpansTheRestart) {
  test::DevBroker broker({{"healthcheck", 4}, {"healthcheck.events", 4}});
  ScriptedPage page("+----++");
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  write_config(config, page.url(), "");

  // A record on the events topic that is no event: skipped at restore, never fatal.
  e2e::TestProducer garbage(broker.bootstrap_servers());
  garbage.send_raw("healthcheck.events", page.url(), "{\"type\":\"state_change\",\"v\":1}");
  garbage.send_raw("healthcheck.events", page.url(), "not json");
  garbage.flush();

  const std::string first_log = run_producer_until(broker, config, page, 3);
  const std::vector<StateEvent> before = events_on_topic(broker, 2, 2);
  ASSERT_EQ(transitions(before), "unknown->up up->down ") << first_log;
  EXPECT_NE(first_log.find("2 skipped as invalid"), std::string::npos) << first_log;

  const std::size_t first_run_requests = page.requests();
  const std::string second_log = run_producer_until(broker, config, page, 7);
  EXPECT_NE(second_log.find("restored the state of 1 of 1 sites"), std::string::npos) << second_log;
  EXPECT_GE(page.requests(), first_run_requests + 2) << "the restart saw no failing check";

  const std::vector<StateEvent> events = events_on_topic(broker, 3, 2);
  ASSERT_EQ(transitions(events), "unknown->up up->down down->up ")
      << first_log << "\n---- second run ----\n"
      << second_log;
  const StateEvent& down = events[1];
  const StateEvent& up = events[2];
  EXPECT_EQ(up.since, down.at);
  EXPECT_EQ(up.previous_duration_s, std::chrono::floor<seconds>(up.at - down.at).count());
  EXPECT_GE(*up.previous_duration_s, 2);  // at least the failing checks of both runs
  EXPECT_NE(up.producer, "");
}

// While every broker is down, measurements beyond max_queued_messages are dropped; the state
// change decided meanwhile is not: it has its own queue and waits for the brokers.
TEST(StateEventsEndToEnd, AChangeDuringAnOutageIsDeliveredWhenMeasurementsAreDropped) {
  test::DevBroker broker({{"healthcheck", 4}, {"healthcheck.events", 4}});
  ScriptedPage page("++-----");
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  write_config(config, page.url(), "");
  std::ofstream(config, std::ios::app) << "  max_queued_messages: 1\n";
  std::string metrics;
  bool delivered_counted = false;
  const std::string log = run_producer_until(broker, config, page, 2, [&](int port) {
    httplib::Client client("127.0.0.1", port);
    const auto metric_shows = [&](const std::string& sample) {
      auto response = client.Get("/metrics");
      metrics = response ? response->body : "";
      return metrics.find(sample) != std::string::npos;
    };
    ASSERT_TRUE(test::eventually(
        [&] { return metric_shows("hc_state_changes_total{to=\"up\"} 1"); }, seconds(10)))
        << metrics;
    broker.must("all-down");
    ASSERT_TRUE(test::eventually([&] { return page.requests() >= 7; }, seconds(20)));
    EXPECT_TRUE(metric_shows("hc_state_changes_queued 1")) << metrics;
    EXPECT_FALSE(metric_shows("hc_dropped_messages_total 0")) << metrics;
    broker.must("all-up");
    delivered_counted = test::eventually(
        [&] { return metric_shows("hc_state_changes_total{to=\"down\"} 1"); }, seconds(20));
  });
  EXPECT_TRUE(delivered_counted) << metrics << log;
  EXPECT_NE(log.find("dropped measurement"), std::string::npos) << log;
  EXPECT_EQ(transitions(events_on_topic(broker, 2)), "unknown->up up->down ") << log;
}

// No events topic yet (a first start on a fresh cluster): nothing to restore, not an error.
TEST(StateEventsEndToEnd, AMissingEventsTopicIsAnEmptyRestore) {
  test::DevBroker broker({{"healthcheck", 4}});
  ScriptedPage page("+");
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  write_config(config, page.url(), "      events_topic: fresh.events\n");
  const std::string log = run_producer_until(broker, config, page, 2);
  EXPECT_NE(log.find("restored the state of 0 of 1 sites"), std::string::npos) << log;
}

// Kafka away at start: the restore waits for it (at most 30 s), but a SIGTERM ends the wait.
TEST(StateEventsEndToEnd, SigtermDuringTheRestoreStopsTheProducerPromptly) {
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  write_config(config, "http://127.0.0.1:" + std::to_string(test::unused_loopback_port()) + "/",
               "");
  test::ChildProcess::Options options;
  options.extra_env = {
      {"KAFKA_BOOTSTRAP_SERVER", "127.0.0.1:" + std::to_string(test::unused_loopback_port())}};
  options.stderr_file = dir.path() / "hc.log";
  test::ChildProcess hc({test::hc_binary().string(), "--producer", "-c", config.string()}, options);
  ASSERT_TRUE(test::eventually(
      [&] {
        return read_file(dir.path() / "hc.log").find("restoring the states of 1 sites") !=
               std::string::npos;
      },
      seconds(10)))
      << read_file(dir.path() / "hc.log");
  const auto signalled = std::chrono::steady_clock::now();
  hc.send_signal(SIGTERM);
  const std::optional<int> exit_code = hc.wait_for_exit(seconds(20));
  const auto took = std::chrono::steady_clock::now() - signalled;
  const std::string log = read_file(dir.path() / "hc.log");
  EXPECT_EQ(exit_code, 0) << log;
  EXPECT_LT(took, seconds(5)) << log;
  EXPECT_NE(log.find("state restore INCOMPLETE"), std::string::npos) << log;
}

}  // namespace
}  // namespace hc
