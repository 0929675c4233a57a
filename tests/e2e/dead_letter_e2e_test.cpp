// Dead letters end to end: test producer -> hc-devbroker -> hc --consumer -> PostgreSQL and
// the dead-letter topic. A record that cannot be stored always leaves the partition: as a
// (possibly truncated) dead letter, or, when its dead-letter topic cannot be written, with
// the operator told (/healthz, metrics) while its partitions wait; SIGTERM stays bounded.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>

#include "consumer_e2e_fixture.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

constexpr int kPartitions = 4;
// librdkafka's UNKNOWN_TOPIC_OR_PART, as a broker without auto.create.topics.enable
// answers for a topic nobody created.
constexpr int kUnknownTopic = 3;

class DeadLetterE2E : public ::testing::Test {
 protected:
  long rows() { return postgres_.row_count(); }
  std::vector<Route> one_table() const { return {{"checks", postgres_.uri(), "healthcheck"}}; }
  std::vector<std::string> metrics_args() const {
    return {"--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port_)};
  }
  std::string get(const std::string& path, int* status = nullptr) {
    httplib::Client client("127.0.0.1", metrics_port_);
    client.set_connection_timeout(2);
    auto response = client.Get(path);
    if (status != nullptr) *status = response ? response->status : -1;
    return response ? response->body : std::string();
  }
  // SIGTERM; the exit code, and the seconds it took in *took.
  std::optional<int> timed_stop(ConsumerProcess& consumer, double* took) {
    auto started = std::chrono::steady_clock::now();
    auto code = consumer.stop();
    *took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("SIGTERM to exit: %.2f s\n", *took);  // a figure for bench/faults/README.md
    return code;
  }

  // A good measurement, `poison`, another good one: the stream every test here starts from.
  static void send_between_two_good_ones(TestProducer& producer, const std::string& url,
                                         const std::string& poison) {
    producer.send("checks", measurement(url, 1'795'000'000'000'001));
    producer.send_raw("checks", url, poison);
    producer.send("checks", measurement(url, 1'795'000'000'000'002));
    producer.flush();
  }
  // After the first consumer stopped: the same group reads only what came after the
  // poison (one more row), and the letter is not sent a second time.
  void expect_committed_past_the_poison(const test::DevBroker& broker, TestProducer& producer,
                                        const std::string& url) {
    producer.send("checks", measurement(url, 1'795'000'000'000'003));
    producer.flush();
    ConsumerProcess again(dir_.path(), "again", broker.bootstrap_servers(), "g1", one_table());
    ASSERT_TRUE(test::eventually([&] { return rows() == 3; }, seconds(60))) << again.log();
    EXPECT_EQ(again.stop(), 0) << again.log();
    EXPECT_EQ(test::read_topic(broker.bootstrap_servers(), "checks.dlq", kPartitions, 2, seconds(3))
                  .size(),
              1u)
        << again.log();
  }

  test::TempDir dir_;
  test::TempPostgres postgres_;
  int metrics_port_ = test::unused_loopback_port();
};

// A 4 MB value is poison (over max_message_bytes) and cannot be re-published whole (the
// dead-letter producer's message.max.bytes is 1,000,000): its letter carries the first
// 64 KiB and says so; the offsets move on and later messages are written.
TEST_F(DeadLetterE2E, FourMegabyteValueIsDeadLetteredTruncatedAndLaterMessagesAreWritten) {
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions}});
  TestProducer producer(broker.bootstrap_servers(), {{"message.max.bytes", "10000000"}});
  const std::string url = site_url(1);
  const std::string huge(std::size_t{4} * 1024 * 1024, 'x');
  send_between_two_good_ones(producer, url, huge);
  {
    ConsumerProcess consumer(dir_.path(), "first", broker.bootstrap_servers(), "g1", one_table(),
                             "", metrics_args());
    ASSERT_TRUE(test::eventually([&] { return rows() == 2; }, seconds(60))) << consumer.log();
    auto letters =
        test::read_topic(broker.bootstrap_servers(), "checks.dlq", kPartitions, 1, seconds(3));
    ASSERT_EQ(letters.size(), 1u) << consumer.log();
    const auto& letter = letters[0];
    EXPECT_EQ(letter.header("hc-dlq-reason"), "too_large");
    EXPECT_EQ(letter.header("hc-dlq-truncated"), "true");
    EXPECT_EQ(letter.header("hc-dlq-original-bytes"), std::to_string(huge.size()));
    EXPECT_EQ(letter.header("hc-source-topic"), "checks");
    EXPECT_EQ(letter.header("hc-source-offset"), "1");
    EXPECT_EQ(letter.key, url);
    EXPECT_EQ(letter.value, huge.substr(0, std::size_t{64} * 1024));
    ASSERT_TRUE(test::eventually(
        [&] {
          auto metrics = get("/metrics");
          return metrics.find("hc_dead_letters_delivered_total 1") != std::string::npos &&
                 metrics.find("hc_dead_letters_pending 0") != std::string::npos;
        },
        seconds(10)))
        << get("/metrics");
    EXPECT_NE(get("/metrics").find("hc_dead_letters_truncated_total 1"), std::string::npos);
    double took = 0;
    EXPECT_EQ(timed_stop(consumer, &took), 0) << consumer.log();
    EXPECT_LT(took, 10.0) << consumer.log();
  }
  expect_committed_past_the_poison(broker, producer, url);
}

// The broker refuses the dead letter for a while (each Produce request answered with a
// permanent error): the letter is re-sent, /healthz names the failures from the third in a
// row on and hc_dead_letter_failures_total counts them; once the broker takes it, the letter
// is delivered once, /healthz is ok again and the offsets move past the poison.
TEST_F(DeadLetterE2E, RefusedLetterIsResentShownInHealthzAndDeliveredOnceTheBrokerTakesIt) {
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions}});
  TestProducer producer(broker.bootstrap_servers());
  const std::string url = site_url(1);
  send_between_two_good_ones(producer, url, "{\"v\":1, not json");
  // Only the consumer's dead-letter producer sends Produce requests from here on.
  constexpr int kRefusals = 5;
  broker.must("request-errors Produce TOPIC_AUTHORIZATION_FAILED " + std::to_string(kRefusals));
  ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1", one_table(),
                           "", metrics_args());
  std::string healthz;
  int status = 0;
  ASSERT_TRUE(test::eventually(
      [&] {
        healthz = get("/healthz", &status);
        return status == 503 && healthz.starts_with("dead letters undelivered after ");
      },
      seconds(60)))
      << status << " " << healthz << "\n"
      << consumer.log();
  EXPECT_NE(healthz.find(" attempts (1 pending): topic checks.dlq: "), std::string::npos)
      << healthz;
  EXPECT_NE(consumer.log().find("dead letters cannot be delivered (3 failures in a row"),
            std::string::npos)
      << consumer.log();
  ASSERT_TRUE(test::eventually([&] { return get("/healthz", &status) == "ok\n"; }, seconds(30)))
      << get("/healthz") << "\n"
      << consumer.log();
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("hc_dead_letter_failures_total " + std::to_string(kRefusals)),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("hc_dead_letters_delivered_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hc_dead_letters_pending 0"), std::string::npos) << metrics;
  ASSERT_TRUE(test::eventually([&] { return rows() == 2; }, seconds(30))) << consumer.log();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  expect_committed_past_the_poison(broker, producer, url);
}

// The broker refuses the letter as too large (as a dead-letter topic with a smaller
// max.message.bytes than the producer assumed would): each time the letter is cut to half and
// sent again at once, then delivered; no failure is counted, /healthz stays ok and
// the offsets move past the poison.
TEST_F(DeadLetterE2E, ALetterRefusedAsTooLargeIsCutFurtherAndDelivered) {
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions}});
  TestProducer producer(broker.bootstrap_servers());
  const std::string url = site_url(1);
  const std::string large(std::size_t{200} * 1024, 'x');  // over max_message_bytes (64 KiB)
  send_between_two_good_ones(producer, url, large);
  broker.must("request-errors Produce MSG_SIZE_TOO_LARGE 3");
  ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1", one_table(),
                           "", metrics_args());
  ASSERT_TRUE(test::eventually([&] { return rows() == 2; }, seconds(60))) << consumer.log();
  auto letters =
      test::read_topic(broker.bootstrap_servers(), "checks.dlq", kPartitions, 1, seconds(3));
  ASSERT_EQ(letters.size(), 1u) << consumer.log();
  EXPECT_EQ(letters[0].header("hc-dlq-reason"), "too_large");
  EXPECT_EQ(letters[0].header("hc-dlq-truncated"), "true");
  EXPECT_EQ(letters[0].header("hc-dlq-original-bytes"), std::to_string(large.size()));
  EXPECT_EQ(letters[0].key, url);
  // Halved at each refusal that reached it (the pushed errors answer whichever Produce
  // requests come first, so not necessarily all three).
  EXPECT_LT(letters[0].value.size(), std::size_t{64} * 1024 / 2);
  EXPECT_GT(letters[0].value.size(), std::size_t{64} * 1024 / 16);
  EXPECT_EQ(letters[0].value, large.substr(0, letters[0].value.size()));
  const std::string metrics = get("/metrics");
  EXPECT_NE(metrics.find("hc_dead_letter_failures_total 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hc_dead_letters_delivered_total 1"), std::string::npos) << metrics;
  EXPECT_EQ(get("/healthz"), "ok\n");
  EXPECT_NE(consumer.log().find("dead-letter topic checks.dlq refused a letter of"),
            std::string::npos)
      << consumer.log();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  expect_committed_past_the_poison(broker, producer, url);
}

// Refused as too large again and again, the letter is cut to nothing: then it is dropped,
// logged with where the record is and counted, and the partition moves on; it is not re-sent
// for ever while the partition waits.
TEST_F(DeadLetterE2E, ALetterThatFitsNoLimitIsDroppedLoggedAndThePartitionMovesOn) {
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions}});
  TestProducer producer(broker.bootstrap_servers());
  const std::string url = site_url(1);
  send_between_two_good_ones(producer, url, std::string(std::size_t{200} * 1024, 'x'));
  broker.must("request-errors Produce MSG_SIZE_TOO_LARGE 40");
  {
    ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1", one_table(),
                             "", metrics_args());
    ASSERT_TRUE(test::eventually([&] { return rows() == 2; }, seconds(60))) << consumer.log();
    ASSERT_TRUE(test::eventually(
        [&] {
          return get("/metrics").find("hc_dead_letters_dropped_total 1") != std::string::npos;
        },
        seconds(30)))
        << get("/metrics") << consumer.log();
    EXPECT_NE(consumer.log().find("the letter for checks ["), std::string::npos) << consumer.log();
    EXPECT_NE(consumer.log().find("offset 1 (too_large) is dropped"), std::string::npos)
        << consumer.log();
    EXPECT_NE(get("/metrics").find("hc_dead_letters_pending 0"), std::string::npos);
    EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  }
  broker.must("clear-request-errors Produce");
  // Committed past the poison: the next consumer of the group writes only the new row.
  producer.send("checks", measurement(url, 1'795'000'000'000'003));
  producer.flush();
  ConsumerProcess again(dir_.path(), "again", broker.bootstrap_servers(), "g1", one_table());
  ASSERT_TRUE(test::eventually([&] { return rows() == 3; }, seconds(60))) << again.log();
  EXPECT_EQ(again.stop(), 0) << again.log();
  EXPECT_TRUE(test::read_topic(broker.bootstrap_servers(), "checks.dlq", kPartitions, 1, seconds(2))
                  .empty());
}

// The dead-letter topic is missing and the broker does not create it: /healthz says which
// topic (503) from the start, the batch holding the poison is not committed (its partitions
// pause), the pending letter is a metric, and SIGTERM still ends the process within 10 s.
TEST_F(DeadLetterE2E, UnwritableDeadLetterTopicIsNamedInHealthzAndStopStaysBounded) {
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", kPartitions, kUnknownTopic}});
  TestProducer producer(broker.bootstrap_servers());
  const std::string url = site_url(1);
  send_between_two_good_ones(producer, url, "{\"v\":1, not json");
  ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1", one_table(),
                           "", metrics_args());
  std::string healthz;
  int status = 0;
  ASSERT_TRUE(test::eventually(
      [&] {
        healthz = get("/healthz", &status);
        return status == 503 && healthz.find("checks.dlq") != std::string::npos;
      },
      seconds(30)))
      << status << " " << healthz << "\n"
      << consumer.log();
  EXPECT_NE(healthz.find("dead-letter topic checks.dlq"), std::string::npos) << healthz;
  EXPECT_EQ(healthz.find('\n'), healthz.size() - 1) << "one line: " << healthz;
  ASSERT_TRUE(test::eventually([&] { return rows() == 2; }, seconds(60))) << consumer.log();
  ASSERT_TRUE(test::eventually(
      [&] { return get("/metrics").find("hc_dead_letters_pending 1") != std::string::npos; },
      seconds(10)))
      << get("/metrics");
  EXPECT_NE(consumer.log().find("dead-letter topic checks.dlq"), std::string::npos)
      << consumer.log();
  double took = 0;
  EXPECT_EQ(timed_stop(consumer, &took), 0) << consumer.log();
  EXPECT_LT(took, 10.0) << consumer.log();
}

}  // namespace
}  // namespace hc::e2e
