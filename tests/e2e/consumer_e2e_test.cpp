// hc --consumer end to end: test producer -> hc-devbroker -> hc --consumer -> PostgreSQL.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "consumer_e2e_fixture.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

constexpr int kPartitions = 4;

class ConsumerE2E : public ::testing::Test {
 protected:
  ConsumerE2E() : broker_({{"checks", kPartitions}, {"checks.dlq", kPartitions}}) {}

  // Row count of `table`, or -1 while it does not exist yet (the consumer migrates at start).
  long rows(const std::string& table = "healthcheck", const std::string& database = "postgres") {
    return postgres_.row_count(table, database);
  }
  bool eventually_rows(long expected, seconds timeout, const std::string& table = "healthcheck",
                       const std::string& database = "postgres") {
    return test::eventually([&] { return rows(table, database) == expected; }, timeout);
  }
  std::set<RowKey> stored_keys(const std::string& table = "healthcheck") {
    return e2e::stored_keys(postgres_, table);
  }
  std::vector<Route> one_table() const { return {{"checks", postgres_.uri(), "healthcheck"}}; }

  test::TempDir dir_;
  test::DevBroker broker_;
  test::TempPostgres postgres_;
};

TEST_F(ConsumerE2E, WritesEveryMessageOnceAndRowsPerSiteEqualMessagesPerSite) {
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 3000, 30);
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table());
  ASSERT_TRUE(eventually_rows(3000, seconds(60))) << rows() << "\n" << consumer.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_EQ(postgres_.query("SELECT count(DISTINCT c) FROM (SELECT count(*) c FROM healthcheck"
                            " GROUP BY uri) per_site"),
            "1");  // every site: 100 rows
  EXPECT_EQ(postgres_.query("SELECT min(c) FROM (SELECT count(*) c FROM healthcheck"
                            " GROUP BY uri) per_site"),
            "100");
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

TEST_F(ConsumerE2E, ReplayingTheTopicFromTheStartChangesNoRow) {
  TestProducer producer(broker_.bootstrap_servers());
  producer.send_many("checks", 2000, 20);
  {
    ConsumerProcess first(dir_.path(), "first", broker_.bootstrap_servers(), "g1", one_table());
    ASSERT_TRUE(eventually_rows(2000, seconds(60))) << first.log();
    EXPECT_EQ(first.stop(), 0) << first.log();
  }
  std::string before =
      postgres_.query("SELECT sum(response_time_microseconds), sum(body_bytes) FROM healthcheck");
  // Mark every row, so we can see the replay overwrite each one with the same values.
  postgres_.query("UPDATE healthcheck SET response_time_microseconds = -1");
  ConsumerProcess replay(dir_.path(), "replay", broker_.bootstrap_servers(), "g2", one_table());
  ASSERT_TRUE(test::eventually(
      [&] {
        return postgres_.query(
                   "SELECT count(*) FROM healthcheck WHERE "
                   "response_time_microseconds = -1") == "0";
      },
      seconds(60)))
      << replay.log();
  EXPECT_EQ(rows(), 2000);
  EXPECT_EQ(
      postgres_.query("SELECT sum(response_time_microseconds), sum(body_bytes) FROM healthcheck"),
      before);
  EXPECT_EQ(replay.stop(), 0) << replay.log();
}

TEST_F(ConsumerE2E, OneTopicFeedsTwoTablesInTwoDatabases) {
  postgres_.create_database("second");
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 1500, 15);
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1",
                           {{"checks", postgres_.uri(), "healthcheck"},
                            {"checks", postgres_.uri("second"), "copy_a"},
                            {"checks", postgres_.uri("second"), "copy_b"}});
  ASSERT_TRUE(eventually_rows(1500, seconds(60))) << consumer.log();
  ASSERT_TRUE(eventually_rows(1500, seconds(30), "copy_a", "second")) << consumer.log();
  ASSERT_TRUE(eventually_rows(1500, seconds(30), "copy_b", "second")) << consumer.log();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

TEST_F(ConsumerE2E, KilledMidStreamAndRestartedLosesAndDuplicatesNothing) {
  TestProducer producer(broker_.bootstrap_servers());
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table());
  // The stream starts once the consumer holds its partitions (the first join takes ~3 s),
  // and is steady (20 chunks of 500, ~4 s), so the kill lands in the middle of it.
  ASSERT_TRUE(test::eventually([&] { return consumer.log().find("assigned") != std::string::npos; },
                               seconds(60)))
      << consumer.log();
  std::set<RowKey> published;
  std::thread stream([&] {
    for (int chunk = 0; chunk < 20; ++chunk) {
      auto keys =
          producer.send_many("checks", 500, 40, 1'795'000'000'000'000 + std::int64_t{chunk} * 1000);
      published.insert(keys.begin(), keys.end());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  bool started = test::eventually([&] { return rows() >= 1000; }, seconds(60));
  consumer.kill();  // no chance to write or commit what it holds
  long at_kill = rows();
  stream.join();
  ASSERT_TRUE(started) << consumer.log();
  EXPECT_LT(at_kill, 10000) << "killed too late to test anything";
  consumer.start();  // same group: resumes from the committed offsets
  ASSERT_TRUE(eventually_rows(10000, seconds(90))) << rows() << "\n" << consumer.log();
  EXPECT_EQ(stored_keys(), published);  // nothing lost, nothing extra (the key is unique)
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

TEST_F(ConsumerE2E, TwoConsumersInOneGroupSplitThePartitionsAndWriteEveryRowOnce) {
  ConsumerProcess a(dir_.path(), "a", broker_.bootstrap_servers(), "g1", one_table());
  ConsumerProcess b(dir_.path(), "b", broker_.bootstrap_servers(), "g1", one_table());
  // Both members must hold partitions before the data arrives.
  ASSERT_TRUE(test::eventually(
      [&] {
        return a.log().find("assigned 2 partitions") != std::string::npos &&
               b.log().find("assigned 2 partitions") != std::string::npos;
      },
      seconds(60)))
      << a.log() << "\n-----\n"
      << b.log();
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 4000, 40);
  ASSERT_TRUE(eventually_rows(4000, seconds(60))) << a.log() << "\n-----\n" << b.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_EQ(a.stop(), 0);
  EXPECT_EQ(b.stop(), 0);
  auto rows_written = [](const std::string& log) {
    auto pos = log.find("messages consumed, ");
    return pos == std::string::npos ? -1L : std::stol(log.substr(pos + 19));
  };
  long written_by_a = rows_written(a.log());
  long written_by_b = rows_written(b.log());
  EXPECT_GT(written_by_a, 0) << a.log();
  EXPECT_GT(written_by_b, 0) << b.log();
  EXPECT_EQ(written_by_a + written_by_b, 4000);  // nobody wrote a partition twice
}

TEST_F(ConsumerE2E, PostgresOutageMidStreamPausesThenWritesEverythingWithoutExiting) {
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 2000, 20);
  const int port = test::unused_loopback_port();
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table(),
                           "", {"--metrics-addr", "127.0.0.1:" + std::to_string(port)});
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto failed_writes = [&client] {
    const std::string sample = "hc_database_errors_total{class=\"outage\"} ";
    auto response = client.Get("/metrics");
    const std::size_t at = response ? response->body.find(sample) : std::string::npos;
    return at == std::string::npos ? 0.0 : std::stod(response->body.substr(at + sample.size()));
  };
  ASSERT_TRUE(eventually_rows(2000, seconds(60))) << consumer.log();
  postgres_.stop_server();
  auto during = producer.send_many("checks", 2000, 20, 1'796'000'000'000'000);
  published.insert(during.begin(), during.end());
  ASSERT_TRUE(test::eventually(
      [&] { return consumer.log().find("database unavailable") != std::string::npos; },
      seconds(30)))
      << consumer.log();
  // The outage lasts a while: the batch is tried again several times.
  ASSERT_TRUE(test::eventually([&] { return failed_writes() >= 4; }, seconds(30)))
      << consumer.log();
  ASSERT_TRUE(consumer.process().running()) << consumer.log();
  postgres_.start_server();
  ASSERT_TRUE(eventually_rows(4000, seconds(60))) << consumer.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_TRUE(consumer.process().running());
  std::string log = consumer.log();
  EXPECT_EQ(count_occurrences(log, "database unavailable"), 1u) << log;  // once, not per retry
  EXPECT_EQ(count_occurrences(log, "is back after"), 1u) << log;
  EXPECT_EQ(consumer.stop(), 0) << log;
}

// A probe (Kubernetes, compose) must get an answer while the consumer waits for its
// database at start: 503 with the reason, then 200 once it consumes.
TEST_F(ConsumerE2E, HealthzAnswersWhileTheDatabaseIsWaitedForAtStart) {
  postgres_.stop_server();
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 500, 5);
  const int port = test::unused_loopback_port();
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table(),
                           "", {"--metrics-addr", "127.0.0.1:" + std::to_string(port)});
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto healthz = [&](int expected_status) {
    auto response = client.Get("/healthz");
    return response && response->status == expected_status ? response->body : std::string();
  };
  std::string waiting;
  ASSERT_TRUE(test::eventually(
      [&] {
        waiting = healthz(503);
        return waiting.starts_with("starting: waiting for the database: ");
      },
      seconds(30)))
      << "last /healthz body: " << waiting << "\n"
      << consumer.log();
  EXPECT_NE(waiting.find(postgres_.uri()), std::string::npos) << "names the database: " << waiting;
  EXPECT_EQ(waiting.find('\n'), waiting.size() - 1) << "one line: " << waiting;
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics) << consumer.log();
  EXPECT_NE(metrics->body.find("hc_database_up 0"), std::string::npos) << metrics->body;

  postgres_.start_server();
  ASSERT_TRUE(eventually_rows(500, seconds(60))) << consumer.log();
  EXPECT_TRUE(test::eventually([&] { return healthz(200) == "ok\n"; }, seconds(10)))
      << consumer.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

TEST_F(ConsumerE2E, PoisonMessagesGoToTheDeadLetterTopicAndGoodOnesAroundThemAreWritten) {
  TestProducer producer(broker_.bootstrap_servers());
  const std::string url = site_url(1);
  auto good = [&](std::int64_t at) { return encode_message(measurement(url, at)); };
  auto with_wrong_type = good(1'795'000'000'000'002);
  with_wrong_type.replace(with_wrong_type.find("\"status_code\":200"), 17,
                          "\"status_code\":\"ok\"");
  producer.send("checks", measurement(url, 1'795'000'000'000'001));
  producer.send_raw("checks", url, "{\"v\":1, not json");
  producer.send_raw("checks", url, with_wrong_type);
  producer.send_raw("checks", url, std::string(200'000, 'x'));
  producer.send_raw("checks", site_url(2), good(1'795'000'000'000'003));  // key is another URL
  producer.send("checks", measurement(url, 1'795'000'000'000'004));
  producer.flush();
  ConsumerProcess consumer(dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table());
  ASSERT_TRUE(eventually_rows(2, seconds(60))) << consumer.log();
  auto letters =
      test::read_topic(broker_.bootstrap_servers(), "checks.dlq", kPartitions, 4, seconds(30));
  ASSERT_EQ(letters.size(), 4u) << consumer.log();
  std::multiset<std::string> reasons;
  for (const auto& letter : letters) {
    reasons.insert(letter.header("hc-dlq-reason"));
    EXPECT_EQ(letter.header("hc-source-topic"), "checks");
    EXPECT_NE(letter.header("hc-source-offset"), "<missing>");
    EXPECT_NE(letter.header("hc-dlq-detail"), "<missing>");
  }
  EXPECT_EQ(reasons,
            (std::multiset<std::string>{"bad_json", "wrong_type", "too_large", "key_mismatch"}));
  for (const auto& letter : letters) {  // the original bytes, untouched
    if (letter.header("hc-dlq-reason") == "too_large") {
      EXPECT_EQ(letter.value, std::string(200'000, 'x'));
      EXPECT_EQ(letter.key, url);
    }
  }
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  EXPECT_EQ(rows(), 2);
}

}  // namespace
}  // namespace hc::e2e
