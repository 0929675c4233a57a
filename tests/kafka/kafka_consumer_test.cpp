// hc --consumer against Apache Kafka, for what only a real broker does:
// - two consumers of one group on Kafka's group coordinator (the classic protocol with hc's
//   eager `range` assignment): the partitions are split when the second joins and taken over
//   when one is SIGKILLed; every message becomes exactly one row, counted per site;
// - a dead-letter topic whose max.message.bytes is 2,000: the letter is cut to what the broker
//   itself accepts (read from the topic's config), delivered once, and the partition moves on.
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

class KafkaConsumer : public test::KafkaTest<KafkaConsumer> {};

TEST_F(KafkaConsumer, RebalancesOnJoinAndOnSigkillWithEveryMessageStoredOnce) {
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

// The limit is the topic's, set on the broker (not the 1,000,000 B default of the dead-letter
// producer): a 200 KiB poison value yields one letter within 2,000 bytes that says it was cut,
// the good messages around it are rows, and a second consumer of the group starts past it.
TEST_F(KafkaConsumer, ADeadLetterFitsTheDeadLetterTopicsOwnLimit) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const std::string topic = "poisoned";
  const std::string dead_letters = topic + ".dlq";
  PipelineSpec spec{kafka().client_yaml(), topic, {"http://127.0.0.1:9/"}, postgres.uri()};
  const auto created =
      test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                         write_pipeline_config(dir.path(), "topics", spec).string(), "--partitions",
                         "1", "--replication-factor", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  set_topic_configs(kafka().bootstrap(), dead_letters, {{"max.message.bytes", "2000"}});
  ASSERT_EQ(describe_topic(kafka().bootstrap(), dead_letters).configs.at("max.message.bytes"),
            "2000");

  const std::string url = e2e::site_url(1);
  const std::string poison(std::size_t{200} * 1024, 'x');  // over max_message_bytes (64 KiB)
  e2e::TestProducer producer(kafka().bootstrap());
  producer.send(topic, e2e::measurement(url, 1'795'000'000'000'001));
  producer.send_raw(topic, url, poison);
  producer.send(topic, e2e::measurement(url, 1'795'000'000'000'002));
  producer.flush();

  const std::vector<test::Route> routes{{topic, postgres.uri(), "healthcheck"}};
  test::ConsumerProcess::Options options;
  options.group = "dead_letters";
  {
    test::ConsumerProcess consumer(dir.path(), "consumer", kafka().bootstrap(), routes, options);
    ASSERT_TRUE(test::eventually([&] { return postgres.row_count() == 2; }, seconds(60)))
        << consumer.log();
    std::vector<test::KafkaRecord> letters;
    ASSERT_TRUE(test::eventually(
        [&] {
          letters = read_to_end(kafka().bootstrap(), dead_letters);
          return !letters.empty();
        },
        seconds(30)))
        << consumer.log();
    ASSERT_EQ(letters.size(), 1u) << consumer.log();
    const test::KafkaRecord& letter = letters[0];
    EXPECT_EQ(letter.key, url);
    EXPECT_EQ(letter.header("hc-dlq-reason"), "too_large");
    EXPECT_EQ(letter.header("hc-dlq-truncated"), "true");
    EXPECT_EQ(letter.header("hc-dlq-original-bytes"), std::to_string(poison.size()));
    EXPECT_GT(letter.value.size(), 0u);
    EXPECT_LT(letter.value.size(), 2000u);
    EXPECT_EQ(letter.value, poison.substr(0, letter.value.size()));
    EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  }
  // Committed past the poison: the group's next consumer writes only the new row and sends
  // no second letter.
  producer.send(topic, e2e::measurement(url, 1'795'000'000'000'003));
  producer.flush();
  test::ConsumerProcess again(dir.path(), "again", kafka().bootstrap(), routes, options);
  ASSERT_TRUE(test::eventually([&] { return postgres.row_count() == 3; }, seconds(60)))
      << again.log();
  EXPECT_EQ(again.stop(), 0) << again.log();
  EXPECT_EQ(read_to_end(kafka().bootstrap(), dead_letters).size(), 1u);
}

}  // namespace
}  // namespace hc::kafka_test
