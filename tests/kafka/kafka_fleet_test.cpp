// Fleet mode on Apache Kafka's group coordinator (cooperative-sticky): three producers share
// 60 sites of a compacted sites topic; one is SIGKILLed and its sites are taken over by the
// others within session timeout + interval (+ the rebalance's own time); no site is checked
// twice within one interval, measured at the local target server. `hc serve`'s GET
// /api/v1/fleet lists the producers and their sites before and after the kill (the mock
// broker does not answer DescribeGroups: only a real one can show it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "hc/test/kafka_cluster.h"
#include "hc/test/local_http_server.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr int kSites = 60;
constexpr auto kSessionTimeout = milliseconds(6000);  // the broker's minimum
constexpr auto kInterval = seconds(1);

class KafkaFleet : public test::KafkaTest<KafkaFleet> {};

// Request times per path, as the target server saw them.
class RequestLog {
 public:
  void record(const std::string& path) {
    std::lock_guard lock(mutex_);
    times_[path].push_back(Clock::now());
  }
  std::map<std::string, std::vector<Clock::time_point>> snapshot() {
    std::lock_guard lock(mutex_);
    return times_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<Clock::time_point>> times_;
};

// The shortest gap between two checks of one site among those at or after `from`.
milliseconds shortest_gap(const std::map<std::string, std::vector<Clock::time_point>>& times,
                          Clock::time_point from, std::string* site) {
  milliseconds shortest = milliseconds::max();
  for (const auto& [path, at] : times) {
    for (std::size_t i = 1; i < at.size(); ++i) {
      if (at[i - 1] < from) continue;
      const auto gap = std::chrono::duration_cast<milliseconds>(at[i] - at[i - 1]);
      if (gap < shortest) {
        shortest = gap;
        *site = path;
      }
    }
  }
  return shortest;
}

// The longest time a site went unchecked in [from, to].
milliseconds longest_silence(const std::map<std::string, std::vector<Clock::time_point>>& times,
                             Clock::time_point from, Clock::time_point to, std::string* site) {
  milliseconds longest{0};
  for (const auto& [path, at] : times) {
    Clock::time_point previous = from;
    for (const Clock::time_point check : at) {
      if (check < from) continue;
      if (check > to) break;
      const auto silence = std::chrono::duration_cast<milliseconds>(check - previous);
      if (silence > longest) {
        longest = silence;
        *site = path;
      }
      previous = check;
    }
    const auto tail = std::chrono::duration_cast<milliseconds>(to - previous);
    if (tail > longest) {
      longest = tail;
      *site = path;
    }
  }
  return longest;
}

// GET /api/v1/fleet: {producer count, their sites summed, unassigned sites}; producers -1
// when the server did not answer 200.
struct FleetView {
  int producers = -1;
  int sites = 0;
  int unassigned = 0;
  bool operator==(const FleetView&) const = default;
};
FleetView fleet_view(httplib::Client& client) {
  auto response = client.Get("/api/v1/fleet");
  if (!response || response->status != 200) return {};
  const auto fleet = nlohmann::json::parse(response->body);
  FleetView view{static_cast<int>(fleet["producers"].size()), 0,
                 fleet["unassigned_sites"].get<int>()};
  for (const auto& producer : fleet["producers"]) view.sites += producer["sites"].get<int>();
  return view;
}

TEST_F(KafkaFleet, SigkilledProducersSitesAreTakenOverWithoutDoubleChecks) {
  test::TempDir dir;
  RequestLog requests;
  test::LocalHttpServer web;
  web.server().Get(R"(/site/\d+)",
                   [&](const httplib::Request& request, httplib::Response& response) {
                     requests.record(request.path);
                     response.set_content("ok", "text/plain");
                   });
  web.start();

  const auto config = dir.path() / "fleet.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << kafka().client_yaml() << "  sites_topic: hc.sites\n"
                        << "  session_timeout_ms: " << kSessionTimeout.count() << "\n"
                        << "  defaults: {destination_topic: fleet_checks}\n";
  const auto sites_file = dir.path() / "sites.yaml";
  {
    std::ofstream out(sites_file);
    out << "healthcheck-producer-config:\n"
        << "  bootstrap_servers: 127.0.0.1:9\n"
        << "  defaults: {destination_topic: fleet_checks, polling_interval_in_seconds: 1}\n"
        << "  websites:\n";
    for (int i = 0; i < kSites; ++i)
      out << "    - url: " << web.url("/site/" + std::to_string(i)) << "\n";
  }
  const auto created = test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                                          config.string(), "--partitions", "6",
                                          "--replication-factor", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_EQ(describe_topic(kafka().bootstrap(), "hc.sites").configs.at("cleanup.policy"),
            "compact");
  const auto imported = test::run_command(
      {test::hc_binary().string(), "sites", "import", "-c", config.string(), sites_file.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;

  std::vector<std::unique_ptr<test::ChildProcess>> producers;
  for (int i = 0; i < 3; ++i) {
    test::ChildProcess::Options options;
    options.stderr_file = dir.path() / ("producer" + std::to_string(i) + ".log");
    options.stdout_file = options.stderr_file;
    producers.push_back(std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "--producer", "-c", config.string()},
        options));
  }
  auto log_of = [&](int i) {
    std::ifstream in(dir.path() / ("producer" + std::to_string(i) + ".log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto checking_all = [&](Clock::time_point since) {
    auto times = requests.snapshot();
    if (times.size() < static_cast<std::size_t>(kSites)) return false;
    return std::all_of(times.begin(), times.end(),
                       [&](const auto& site) { return site.second.back() >= since; });
  };
  // Settled: three members, every site checked in the last second.
  ASSERT_TRUE(
      test::eventually([&] { return checking_all(Clock::now() - seconds(1)); }, seconds(60)))
      << log_of(0) << log_of(1) << log_of(2);
  std::this_thread::sleep_for(seconds(8));  // the group's later rebalances, if any, end
  const Clock::time_point steady_from = Clock::now();
  std::this_thread::sleep_for(seconds(5));
  std::string site;
  const milliseconds steady_gap = shortest_gap(requests.snapshot(), steady_from, &site);
  EXPECT_GE(steady_gap, milliseconds(800)) << site << " checked twice within one interval";

  // hc serve's view of the fleet: three producers sharing the 60 sites.
  const auto serve_config = dir.path() / "serve.yaml";
  std::ofstream(serve_config) << "healthcheck-producer-config:\n"
                              << kafka().client_yaml() << "  sites_topic: hc.sites\n"
                              << "  defaults: {destination_topic: fleet_checks}\n"
                              << "healthcheck-consumer-config:\n"
                              << kafka().client_yaml() << "  topics:\n"
                              << "    - source_topic: fleet_checks\n"
                              << "      connection_uri: \"postgresql://postgres@127.0.0.1:9/x\"\n"
                              << "      table_name: checks\n";
  const int serve_port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(serve_config, dir, serve_port);
  httplib::Client serve_client("127.0.0.1", serve_port);
  serve_client.set_read_timeout(seconds(20));
  FleetView view;
  EXPECT_TRUE(test::eventually(
      [&] {
        return (view = fleet_view(serve_client)) == FleetView{3, kSites, 0};
      },
      seconds(30)))
      << view.producers << " producers, " << view.sites << " sites, " << view.unassigned
      << " unassigned\n"
      << test::read_file(dir.path() / "serve.log");

  const Clock::time_point killed_at = Clock::now();
  producers[0]->send_signal(SIGKILL);
  producers[0]->wait_for_exit(seconds(5));
  // Every site is checked again by the others: wait until all were checked after the kill.
  ASSERT_TRUE(test::eventually([&] { return checking_all(killed_at + seconds(1)); }, seconds(60)))
      << log_of(1) << log_of(2);
  const Clock::time_point taken_over_at = Clock::now();
  std::this_thread::sleep_for(seconds(5));
  const auto times = requests.snapshot();
  const milliseconds silence = longest_silence(times, killed_at, taken_over_at, &site);
  const milliseconds failover_gap = shortest_gap(times, killed_at, &site);
  std::cout << "fleet failover: longest silence " << silence.count() << " ms (" << site
            << "), session timeout " << kSessionTimeout.count()
            << " ms; shortest gap between two checks of a site from the kill on "
            << failover_gap.count() << " ms\n";
  RecordProperty("longest_silence_ms", static_cast<int>(silence.count()));
  RecordProperty("shortest_gap_ms", static_cast<int>(failover_gap.count()));
  // Session timeout + one interval, plus the rebalance itself (the survivors learn of it at
  // their next heartbeat, then rejoin) and the partitions read from their start.
  EXPECT_LE(silence, kSessionTimeout + kInterval + seconds(2));
  // A moved site runs on its wall-clock phase (scheduler.h): the new owner's first check is
  // whole intervals after the old owner's last, never within one interval.
  EXPECT_GE(failover_gap, milliseconds(800)) << site << " checked twice within one interval";
  // The killed producer is gone from the group; the two others hold every site.
  EXPECT_TRUE(test::eventually(
      [&] {
        return (view = fleet_view(serve_client)) == FleetView{2, kSites, 0};
      },
      seconds(30)))
      << view.producers << " producers, " << view.sites << " sites, " << view.unassigned
      << " unassigned";

  // A fourth producer joins and takes a share; the sites that move keep their rhythm.
  const Clock::time_point joined_at = Clock::now();
  {
    test::ChildProcess::Options options;
    options.stderr_file = dir.path() / "producer3.log";
    options.stdout_file = options.stderr_file;
    producers.push_back(std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "--producer", "-c", config.string()},
        options));
  }
  ASSERT_TRUE(test::eventually(
      [&] {
        const std::string log = log_of(3);
        return log.find("fleet: assigned partition(s)") != std::string::npos &&
               log.find("checking 0 sites") != std::string::npos &&
               log.rfind("checking ") != log.find("checking 0 sites");
      },
      seconds(60)))
      << log_of(3);
  std::this_thread::sleep_for(seconds(5));
  const auto after_join = requests.snapshot();
  const milliseconds join_gap = shortest_gap(after_join, joined_at, &site);
  const milliseconds join_silence = longest_silence(after_join, joined_at, Clock::now(), &site);
  std::cout << "fleet join: longest silence " << join_silence.count() << " ms (" << site
            << "); shortest gap between two checks of a site " << join_gap.count() << " ms\n";
  EXPECT_GE(join_gap, milliseconds(800)) << site << " checked twice within one interval";
  EXPECT_LE(join_silence, seconds(4)) << site << "\n" << log_of(3);

  for (int i = 1; i < 4; ++i) producers[i]->send_signal(SIGTERM);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(producers[i]->wait_for_exit(seconds(30)), 0) << log_of(i);
}

}  // namespace
}  // namespace hc::kafka_test
