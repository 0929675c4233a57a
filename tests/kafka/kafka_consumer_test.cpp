// Two hc consumers of one group on Apache Kafka's group coordinator (the classic protocol with
// hc's eager `range` assignment): the partitions are split when the second joins and taken
// over when one is SIGKILLed; every message becomes exactly one row, counted per site.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consumer_e2e_fixture.h"
#include "hc/test/consumer_process.h"
#include "hc/test/kafka_cluster.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

class KafkaGroup : public test::KafkaTest<KafkaGroup> {};

TEST_F(KafkaGroup, RebalancesOnJoinAndOnSigkillWithEveryMessageStoredOnce) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const std::string topic = "grouped";
  PipelineSpec spec{kafka().client_yaml(), topic, {"http://127.0.0.1:9/"}, postgres.uri()};
  const auto created =
      test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                         write_pipeline_config(dir.path(), "topics", spec).string(), "--partitions",
                         "4", "--replication-factor", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created.output;

  const std::vector<test::Route> routes{{topic, postgres.uri(), "healthcheck"}};
  test::ConsumerProcess::Options options;
  options.group = "two_members";
  options.session_timeout_ms = 6000;  // the broker's group.min.session.timeout.ms
  test::ConsumerProcess first(dir.path(), "first", kafka().bootstrap(), routes, options);
  e2e::TestProducer producer(kafka().bootstrap());
  std::map<std::string, long> published;
  std::int64_t next_us = 1'795'000'000'000'000;
  auto publish = [&](int count) {
    for (int i = 0; i < count; ++i) {
      const std::string url = e2e::site_url(i % 40);
      producer.send(topic, e2e::measurement(url, next_us++));
      ++published[url];
    }
    producer.flush();
  };
  auto all_stored = [&] {
    return test::eventually([&] { return rows_per_uri(postgres, "postgres") == published; },
                            seconds(60));
  };

  publish(2000);
  ASSERT_TRUE(all_stored()) << first.log();
  EXPECT_THAT(first.log(), HasSubstr("assigned 4 partitions"));

  test::ConsumerProcess second(dir.path(), "second", kafka().bootstrap(), routes, options);
  ASSERT_TRUE(test::eventually(
      [&] { return second.log().find("assigned 2 partitions") != std::string::npos; }, seconds(60)))
      << second.log();
  EXPECT_THAT(first.log(), HasSubstr("assigned 2 partitions"));
  publish(2000);
  ASSERT_TRUE(all_stored()) << second.log();

  first.kill();
  publish(2000);
  ASSERT_TRUE(test::eventually(
      [&] { return second.log().find("assigned 4 partitions") != std::string::npos; }, seconds(60)))
      << second.log();
  ASSERT_TRUE(all_stored());
  EXPECT_EQ(rows_per_uri(postgres, "postgres"), published);
  EXPECT_EQ(postgres.query("SELECT count(*) FROM healthcheck"), "6000");
  EXPECT_EQ(second.stop(), 0) << second.log();
}

}  // namespace
}  // namespace hc::kafka_test
