// `hc topics create` against a real broker (its CreateTopics, which hc-devbroker cannot
// serve): partitions, replication factor, per-topic configs, a second run, and a replication
// factor the cluster cannot satisfy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hc/test/kafka_cluster.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using ::testing::HasSubstr;

class KafkaTopics : public test::KafkaTest<KafkaTopics> {
 protected:
  // A config whose producer publishes to `topic` (events to topic.events) and whose consumer
  // reads `topic` (dead letters to topic.dlq).
  std::filesystem::path config_for(const std::string& topic) {
    PipelineSpec spec{kafka().client_yaml(),
                      topic,
                      {"http://127.0.0.1:9/"},
                      "postgresql://postgres@127.0.0.1:9/postgres"};
    return write_pipeline_config(dir_.path(), topic, spec);
  }
  test::CommandResult topics_create(const std::filesystem::path& config,
                                    const std::vector<std::string>& args) {
    std::vector<std::string> argv{test::hc_binary().string(),
                                  "topics",
                                  "create",
                                  "-c",
                                  config.string(),
                                  "--timeout-ms",
                                  "30000"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_command(argv, std::chrono::seconds(60));
  }

  test::TempDir dir_;
};

TEST_F(KafkaTopics, CreatesEachTopicWithItsPartitionsReplicasAndConfigs) {
  const auto config = config_for("measured");
  auto result = topics_create(
      config, {"--partitions", "5", "--replication-factor", "1", "--retention-hours", "48"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* topic : {"measured", "measured.events", "measured.dlq"}) {
    EXPECT_THAT(result.output, HasSubstr(std::string("created ") + topic + "\n"));
    const TopicDescription description = describe_topic(kafka().bootstrap(), topic);
    EXPECT_EQ(description.partitions, 5) << topic;
    EXPECT_EQ(description.replicas, 1) << topic;
  }
  using Configs = std::map<std::string, std::string>;
  EXPECT_EQ(describe_topic(kafka().bootstrap(), "measured").configs,
            (Configs{{"retention.ms", "172800000"}}));
  EXPECT_EQ(describe_topic(kafka().bootstrap(), "measured.events").configs,
            (Configs{{"cleanup.policy", "compact"}}));
  EXPECT_EQ(describe_topic(kafka().bootstrap(), "measured.dlq").configs, Configs{});
}

TEST_F(KafkaTopics, ASecondRunFindsThemAndChangesNothing) {
  const auto config = config_for("twice");
  ASSERT_EQ(topics_create(config, {"--partitions", "2", "--replication-factor", "1"}).exit_code, 0);
  auto again = topics_create(config, {"--partitions", "4", "--replication-factor", "1"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("exists  twice\n"));
  EXPECT_THAT(again.output, HasSubstr("exists  twice.events\n"));
  EXPECT_THAT(again.output, HasSubstr("exists  twice.dlq\n"));
  EXPECT_EQ(describe_topic(kafka().bootstrap(), "twice").partitions, 2);
}

TEST_F(KafkaTopics, AReplicationFactorAboveTheBrokerCountFailsNamingIt) {
  const auto config = config_for("too_many_replicas");
  auto result = topics_create(config, {"--partitions", "1", "--replication-factor", "3"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("FAILED  too_many_replicas (healthcheck-producer-config)"));
  // The broker's own words: "Unable to replicate the partition 3 time(s): The target
  // replication factor of 3 cannot be reached because only 1 broker(s) are registered."
  EXPECT_THAT(result.output, HasSubstr("replication factor of 3"));
  // Both sections name the topic: each reports it.
  EXPECT_THAT(result.output, HasSubstr("4 topic(s) not created"));
}

}  // namespace
}  // namespace hc::kafka_test
