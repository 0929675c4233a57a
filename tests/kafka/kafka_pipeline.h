// Pieces the `kafka` tests share: local sites for a producer to check, a pipeline config for
// one listener of the cluster, reading a topic to its end, and rows counted per site.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hc/test/kafka_cluster.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"

namespace hc::kafka_test {

// Two pages on a local HTTP server: up() answers 200 "all systems operational", down() 500.
class Sites {
 public:
  Sites();
  std::string up() const { return web_.url("/up"); }
  std::string down() const { return web_.url("/down"); }

 private:
  test::LocalHttpServer web_;
};

// A suite on one Apache Kafka cluster (Suite::cluster_options(), test::KafkaTest) with a
// throwaway PostgreSQL and the pages its pipelines check, made once for the suite.
template <typename Suite>
class KafkaPipelineTest : public test::KafkaTest<Suite> {
 public:
  static void SetUpTestSuite() {
    test::KafkaTest<Suite>::SetUpTestSuite();
    postgres = std::make_unique<test::TempPostgres>();
    sites = std::make_unique<Sites>();
  }
  static void TearDownTestSuite() {
    sites.reset();
    postgres.reset();
    test::KafkaTest<Suite>::TearDownTestSuite();
  }

 protected:
  static inline std::unique_ptr<test::TempPostgres> postgres;
  static inline std::unique_ptr<Sites> sites;
};

// What a pipeline config names; the kafka lines come from KafkaCluster::client_yaml().
struct PipelineSpec {
  std::string kafka_yaml;
  std::string topic;
  std::vector<std::string> urls;
  std::string database_uri;
  std::string table = "healthcheck";
  std::string group = "pipeline";
  std::string producer_yaml{};  // more producer settings, each line indented by 2
  std::string consumer_yaml{};  // more consumer settings, each line indented by 2
};

// Writes DIR/NAME.yaml with a producer section (1 s interval, the urls, destination
// spec.topic) and a consumer section (spec.topic into spec.table); returns its path.
std::filesystem::path write_pipeline_config(const std::filesystem::path& dir,
                                            const std::string& name, const PipelineSpec& spec);

// Every record of every partition of `topic`, from the beginning to the end it had when
// asked (each partition read to EOF), read through `bootstrap` (PLAINTEXT).
// Throws std::runtime_error if the topic is unknown or the end is not reached in `timeout`.
std::vector<test::KafkaRecord> read_to_end(
    const std::string& bootstrap, const std::string& topic,
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A topic as the cluster describes it: partitions, replicas of partition 0 and the topic
// configs set on it (not broker defaults). A topic just created may take a moment to reach
// every broker's metadata: waits up to 10 s for it. Throws std::runtime_error if it cannot
// be read.
struct TopicDescription {
  int partitions = 0;
  int replicas = 0;
  std::map<std::string, std::string> configs;
};
TopicDescription describe_topic(const std::string& bootstrap, const std::string& topic);

// Replaces the topic configs of `topic` with `configs` (AlterConfigs: configs not named
// return to the broker's defaults). Throws std::runtime_error when the broker refuses.
void set_topic_configs(const std::string& bootstrap, const std::string& topic,
                       const std::map<std::string, std::string>& configs);

// Number of records per key.
std::map<std::string, long> count_per_key(const std::vector<test::KafkaRecord>& records);

// Rows per uri of `table` in `database`; empty while the table does not exist.
std::map<std::string, long> rows_per_uri(const test::TempPostgres& postgres,
                                         const std::string& database,
                                         const std::string& table = "healthcheck");

using test::start_hc;

// The whole pipeline through one listener, checked exactly: `hc topics create` (3 partitions),
// hc --consumer and hc --producer with `kafka_yaml` checking sites.up() and sites.down() into
// topic and database `name` (created here) until each site has two rows, then the producer
// stopped; every message of the topic (read through PLAINTEXT) must then be one row, per site.
// Both roles must exit 0 on SIGTERM. Reports failures through GoogleTest.
void expect_pipeline_delivers(const test::KafkaCluster& kafka, test::TempPostgres& postgres,
                              const Sites& sites, const std::string& kafka_yaml,
                              const std::string& name);

}  // namespace hc::kafka_test
