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

namespace hc {
namespace {

using std::chrono::seconds;

TEST(Shards, ThreeProducersCheckEverySiteExactlyOnce) {
  constexpr int kSites = 12;
  constexpr int kShards = 3;
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get(R"(/site/(\d+))", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  {
    std::ofstream out(config);
    out << "healthcheck-producer-config:\n"
        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
        << "  defaults: { polling_interval_in_seconds: 1, destination_topic: healthcheck }\n"
        << "  websites:\n";
    for (int i = 0; i < kSites; ++i)
      out << "    - url: " << web.url("/site/" + std::to_string(i)) << "\n";
  }
  std::vector<std::unique_ptr<test::ChildProcess>> producers;
  for (int shard = 0; shard < kShards; ++shard) {
    test::ChildProcess::Options options;
    options.stderr_file = dir.path() / ("producer" + std::to_string(shard) + ".log");
    producers.push_back(std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "--producer", "-c", config.string(),
                                 "--shard", std::to_string(shard) + "/" + std::to_string(kShards)},
        options));
  }
  std::this_thread::sleep_for(seconds(3));  // the producers' run length, not a synchronisation
  for (auto& producer : producers) producer->send_signal(SIGTERM);
  for (auto& producer : producers) ASSERT_EQ(producer->wait_for_exit(seconds(20)), 0);

  std::map<std::string, std::set<std::string>> producers_by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 100000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
    producers_by_url[record.key].insert(std::get<Measurement>(decoded).producer);
  }
  ASSERT_EQ(producers_by_url.size(), static_cast<std::size_t>(kSites));
  std::set<std::string> all_producers;
  for (const auto& [url, ids] : producers_by_url) {
    EXPECT_EQ(ids.size(), 1u) << url << " was checked by several shards";
    all_producers.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all_producers.size(), static_cast<std::size_t>(kShards))
      << "every shard should have taken a share of 12 sites";
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
