// `hc --producer --shard I/N`: N producers given one site list check every site exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <variant>

#include "hc/common/message.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"
#include "site_hash.h"

namespace hc {
namespace {

using std::chrono::seconds;

// The URLs carry the server's random port, so which shard owns which URL changes from run to
// run. The test picks the paths with the producer's own hash: every shard owns exactly
// kSitesPerShard sites whatever the port, and each URL's expected shard is known.
std::map<std::string, int> urls_with_known_shards(const test::LocalHttpServer& web, int shards,
                                                  int sites_per_shard) {
  std::map<std::string, int> shard_by_url;
  std::vector<int> taken(static_cast<std::size_t>(shards), 0);
  const auto wanted = static_cast<std::size_t>(shards) * static_cast<std::size_t>(sites_per_shard);
  for (int path = 0; shard_by_url.size() < wanted; ++path) {
    std::string url = web.url("/site/" + std::to_string(path));
    const auto shard =
        static_cast<int>(producer::site_hash(url) % static_cast<std::uint64_t>(shards));
    if (taken[static_cast<std::size_t>(shard)] == sites_per_shard) continue;
    ++taken[static_cast<std::size_t>(shard)];
    shard_by_url.emplace(std::move(url), shard);
  }
  return shard_by_url;
}

TEST(Shards, ThreeProducersCheckEverySiteExactlyOnce) {
  constexpr int kShards = 3;
  constexpr int kSitesPerShard = 4;
  constexpr std::size_t kSites = std::size_t{kShards} * std::size_t{kSitesPerShard};
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get(R"(/site/(\d+))", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  const std::map<std::string, int> shard_by_url =
      urls_with_known_shards(web, kShards, kSitesPerShard);
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  {
    std::ofstream out(config);
    out << "healthcheck-producer-config:\n"
        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
        << "  defaults: { polling_interval_in_seconds: 1, destination_topic: healthcheck }\n"
        << "  websites:\n";
    for (const auto& [url, shard] : shard_by_url) out << "    - url: " << url << "\n";
  }
  std::vector<std::unique_ptr<test::ChildProcess>> producers;
  std::map<std::string, int> shard_by_producer_pid;
  for (int shard = 0; shard < kShards; ++shard) {
    test::ChildProcess::Options options;
    options.stderr_file = dir.path() / ("producer" + std::to_string(shard) + ".log");
    producers.push_back(std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "--producer", "-c", config.string(),
                                 "--shard", std::to_string(shard) + "/" + std::to_string(kShards)},
        options));
    shard_by_producer_pid[std::to_string(producers.back()->pid())] = shard;
  }

  // Every site is checked about once a second: wait until each one was published at least
  // once (bounded), then stop the producers and read everything they published.
  std::set<std::string> urls_seen;
  ASSERT_TRUE(test::eventually(
      [&] {
        for (const auto& record : test::read_topic(broker.bootstrap_servers(), "healthcheck", 4,
                                                   100000, std::chrono::milliseconds(500))) {
          urls_seen.insert(record.key);
        }
        return urls_seen.size() >= kSites;
      },
      seconds(60)))
      << urls_seen.size() << " of " << kSites << " sites were published";
  for (auto& producer : producers) producer->send_signal(SIGTERM);
  for (auto& producer : producers) ASSERT_EQ(producer->wait_for_exit(seconds(20)), 0);

  std::map<std::string, std::set<int>> shards_by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 100000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
    const std::string& producer_id = std::get<Measurement>(decoded).producer;  // "host:pid"
    const auto pid = producer_id.substr(producer_id.rfind(':') + 1);
    ASSERT_TRUE(shard_by_producer_pid.count(pid)) << "unknown producer " << producer_id;
    shards_by_url[record.key].insert(shard_by_producer_pid.at(pid));
  }
  ASSERT_EQ(shards_by_url.size(), kSites);
  for (const auto& [url, shards] : shards_by_url) {
    ASSERT_TRUE(shard_by_url.count(url)) << "not a configured site: " << url;
    EXPECT_EQ(shards, std::set<int>{shard_by_url.at(url)})
        << url << " should be checked by shard " << shard_by_url.at(url) << " only";
  }
}

TEST(Shards, RejectsAMalformedShard) {
  auto result =
      test::run_command({test::hc_binary().string(), "--producer", "-c",
                         (test::source_dir() / "config.yaml").string(), "--shard", "3/3"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--shard expects I/N"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hc
