// Three brokers, replication factor 3, min.insync.replicas 2, hc's idempotent producer with
// acks=all: the pipeline keeps every check exactly once when the leader of a measurements
// partition is SIGKILLed mid-stream, and when one broker is stopped for 30 s and restarted.
// "Exactly once": no (url, measured_at) twice in the topic, and rows per site equal to the
// messages per site; the producer drains its queue and exits 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <thread>

#include "hc/common/kafka_handles.h"
#include "hc/test/kafka_cluster.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using std::chrono::seconds;

class KafkaReplication : public KafkaPipelineTest<KafkaReplication> {
 public:
  static test::KafkaCluster::Options cluster_options() { return {.brokers = 3}; }

 protected:
  // The node leading partition 0 of `topic`.
  static int leader_of_partition_zero(const std::string& topic) {
    KafkaSettings settings;
    settings.bootstrap_servers = {kafka().bootstrap()};
    KafkaHandle client = make_kafka_client(RD_KAFKA_PRODUCER, make_kafka_conf(settings, {}),
                                           "the test metadata client");
    std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> handle(
        rd_kafka_topic_new(client.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(client.get(), 0, handle.get(), &metadata, 10000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("no metadata for " + topic);
    }
    const int leader = metadata->topics[0].partitions[0].leader;
    rd_kafka_metadata_destroy(metadata);
    return leader;
  }

  // The pipeline of `name` (topic and database) runs while `disturb` acts on the cluster;
  // then the producer stops and everything published must be stored exactly once.
  void expect_exactly_once_across(const std::string& name,
                                  const std::function<void(long rows_before)>& disturb) {
    test::TempDir dir;
    postgres->create_database(name);
    std::vector<std::string> urls;
    urls.reserve(10);
    for (int i = 0; i < 10; ++i) urls.push_back(sites->up() + "?site=" + std::to_string(i));
    PipelineSpec spec{kafka().client_yaml(), name, urls, postgres->uri(name)};
    const auto config = write_pipeline_config(dir.path(), "config", spec);
    const auto created = test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                                            config.string(), "--partitions", "3",
                                            "--replication-factor", "3", "--timeout-ms", "30000"});
    ASSERT_EQ(created.exit_code, 0) << created.output;

    const int metrics_port = test::unused_loopback_port();
    test::ChildProcess consumer = start_hc("--consumer", config, "consumer");
    test::ChildProcess producer =
        start_hc("--producer", config, "producer",
                 {"--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port)});
    auto total_rows = [&] {
      long total = 0;
      for (const auto& [uri, rows] : rows_per_uri(*postgres, name)) total += rows;
      return total;
    };
    ASSERT_TRUE(test::eventually([&] { return total_rows() >= 20; }, seconds(60)))
        << test::read_file(dir.path() / "consumer.log");
    disturb(total_rows());
    producer.send_signal(SIGTERM);
    EXPECT_EQ(producer.wait_for_exit(seconds(60)), 0);
    const std::string producer_log = test::read_file(dir.path() / "producer.log");
    // Its queue drained: nothing dropped, failed or left behind.
    EXPECT_THAT(producer_log, testing::HasSubstr("undelivered at shutdown 0"));
    EXPECT_THAT(producer_log, testing::HasSubstr("dropped 0, publish errors 0"));
    EXPECT_THAT(producer_log, testing::HasSubstr("delivery failures 0"));
    EXPECT_THAT(producer_log, testing::Not(testing::HasSubstr("not delivered")));

    const auto records = read_to_end(kafka().bootstrap(), name);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& record : records) {
      const auto at = record.value.find("\"measured_at\":\"");
      ASSERT_NE(at, std::string::npos) << record.value;
      EXPECT_TRUE(seen.insert({record.key, record.value.substr(at, 45)}).second)
          << "published twice: " << record.key << " " << record.value.substr(at, 45);
    }
    const auto published = count_per_key(records);
    EXPECT_EQ(published.size(), urls.size());
    EXPECT_TRUE(
        test::eventually([&] { return rows_per_uri(*postgres, name) == published; }, seconds(60)))
        << test::read_file(dir.path() / "consumer.log");
    EXPECT_EQ(rows_per_uri(*postgres, name), published);
    consumer.send_signal(SIGTERM);
    EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0);
  }
};

TEST_F(KafkaReplication, SigkillOfThePartitionLeaderMidStreamLosesAndDoublesNothing) {
  expect_exactly_once_across("leader_killed", [&](long rows_before) {
    const int leader = leader_of_partition_zero("leader_killed");
    kafka().kill_broker(leader);
    EXPECT_TRUE(test::eventually(
        [&] {
          long total = 0;
          for (const auto& [uri, rows] : rows_per_uri(*postgres, "leader_killed")) total += rows;
          return total >= rows_before + 40;  // four more rounds of the ten sites
        },
        seconds(90)));
    EXPECT_NE(leader_of_partition_zero("leader_killed"), leader);
    kafka().start_broker(leader);
  });
}

TEST_F(KafkaReplication, OneBrokerStoppedForThirtySecondsLosesAndDoublesNothing) {
  expect_exactly_once_across("broker_stopped", [&](long) {
    kafka().stop_broker(2);
    // The outage's length is what this case is about, not a synchronisation.
    std::this_thread::sleep_for(seconds(30));
    kafka().start_broker(2);
  });
}

}  // namespace
}  // namespace hc::kafka_test
