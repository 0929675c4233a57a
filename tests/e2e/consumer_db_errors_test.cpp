// hc --consumer against a database that refuses some rows, refuses a whole table, or holds
// the writer on a lock: test producer -> hc-devbroker -> hc --consumer -> PostgreSQL.
#include <gtest/gtest.h>
#include <httplib.h>

#include "consumer_e2e_fixture.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

constexpr int kPartitions = 4;

class ConsumerDbErrors : public ::testing::Test {
 protected:
  ConsumerDbErrors() : broker_({{"checks", kPartitions}, {"checks.dlq", kPartitions}}) {}

  long rows(const std::string& table = "healthcheck") { return postgres_.row_count(table); }
  std::set<RowKey> stored_keys() { return e2e::stored_keys(postgres_); }
  std::vector<Route> one_table() const { return {{"checks", postgres_.uri(), "healthcheck"}}; }

  // Starts a consumer serving /healthz and waits until it created the table.
  ConsumerProcess& start_consumer(const std::string& extra_yaml = "") {
    ConsumerProcess& consumer = consumer_.emplace(
        dir_.path(), "consumer", broker_.bootstrap_servers(), "g1", one_table(), extra_yaml,
        std::vector<std::string>{"--metrics-addr", "127.0.0.1:" + std::to_string(port_)});
    EXPECT_TRUE(test::eventually([&] { return rows() >= 0; }, seconds(30))) << consumer.log();
    return consumer;
  }
  // The /healthz body if the status is `status`, else "".
  std::string healthz(int status) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    auto response = client.Get("/healthz");
    return response && response->status == status ? response->body : std::string();
  }
  std::string metrics() {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get("/metrics");
    return response ? response->body : std::string();
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  test::TempPostgres postgres_;
  int port_ = test::unused_loopback_port();
  std::optional<ConsumerProcess> consumer_;  // last: stopped before the servers
};

// A CHECK constraint makes Postgres refuse rows that the decoder rightly accepts: those
// rows go to the dead-letter topic once each, every other row is written, the offsets are
// committed (a second member of the group finds nothing left), and /healthz stays 200.
TEST_F(ConsumerDbErrors, RowsThePostgresRefusesAreDeadLetteredOnceAndTheRestWritten) {
  ConsumerProcess& consumer = start_consumer();
  postgres_.query(
      "ALTER TABLE healthcheck ADD CONSTRAINT no_teapots CHECK (status_code IS DISTINCT FROM 418)");
  TestProducer producer(broker_.bootstrap_servers());
  std::set<RowKey> good;
  std::set<std::string> refused_urls;
  for (int i = 0; i < 1200; ++i) {
    Measurement m = measurement(site_url(i % 40), 1'795'000'000'000'000 + i);
    if (i % 97 == 5) {
      m.status_code = 418;
      m.url = "https://teapot" + std::to_string(i) + ".test/";
      m.url_digest = url_digest(m.url);
      refused_urls.insert(m.url);
      producer.send("checks", m);
    } else {
      good.insert(producer.send("checks", m));
    }
  }
  producer.flush();
  ASSERT_EQ(refused_urls.size(), 13u);
  ASSERT_TRUE(
      test::eventually([&] { return rows() == static_cast<long>(good.size()); }, seconds(60)))
      << rows() << "\n"
      << consumer.log();
  EXPECT_EQ(stored_keys(), good);
  auto letters = test::read_topic(broker_.bootstrap_servers(), "checks.dlq", kPartitions,
                                  refused_urls.size() + 1, seconds(3));
  std::set<std::string> lettered_urls;
  for (const auto& letter : letters) {
    EXPECT_EQ(letter.header("hc-dlq-reason"), "db_rejected");
    EXPECT_EQ(letter.header("hc-dlq-sqlstate"), "23514");
    EXPECT_NE(letter.header("hc-dlq-detail").find("no_teapots"), std::string::npos)
        << letter.header("hc-dlq-detail");
    EXPECT_EQ(letter.header("hc-source-topic"), "checks");
    auto decoded = decode_message(letter.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << letter.value;
    EXPECT_EQ(std::get<Measurement>(decoded).url, letter.key);
    lettered_urls.insert(letter.key);
  }
  EXPECT_EQ(letters.size(), refused_urls.size()) << "each refused row exactly once";
  EXPECT_EQ(lettered_urls, refused_urls);
  EXPECT_EQ(healthz(200), "ok\n") << consumer.log();
  EXPECT_NE(metrics().find("hc_dead_letter_messages_total{reason=\"db_rejected\"} 13"),
            std::string::npos)
      << metrics();
  EXPECT_EQ(consumer.log().find("database unavailable"), std::string::npos) << consumer.log();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();

  // Everything was committed: a restarted member of the group writes and letters nothing.
  ConsumerProcess again(dir_.path(), "again", broker_.bootstrap_servers(), "g1", one_table());
  ASSERT_TRUE(test::eventually(
      [&] { return again.log().find("assigned 4 partitions") != std::string::npos; }, seconds(60)))
      << again.log();
  EXPECT_EQ(again.stop(), 0) << again.log();
  EXPECT_NE(again.log().find("0 messages consumed"), std::string::npos) << again.log();
}

// A table that refuses every row for a reason of its own (a column renamed by hand) is not a
// row problem: nothing is dead-lettered, nothing committed past unwritten rows, /healthz
// says why; once the table is fixed the rows arrive by themselves.
TEST_F(ConsumerDbErrors, ATableBrokenByHandStopsWritesVisiblyAndRecoversWhenFixed) {
  ConsumerProcess& consumer = start_consumer();
  postgres_.query("ALTER TABLE healthcheck RENAME COLUMN body_bytes TO body_size");
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 400, 10);
  std::string unhealthy;
  ASSERT_TRUE(test::eventually(
      [&] {
        unhealthy = healthz(503);
        return unhealthy.find("body_bytes") != std::string::npos;
      },
      seconds(30)))
      << "last: " << unhealthy << "\n"
      << consumer.log();
  EXPECT_NE(unhealthy.find("42703"), std::string::npos) << unhealthy;
  EXPECT_NE(metrics().find("hc_database_errors_total{class=\"definition\"}"), std::string::npos)
      << metrics();
  EXPECT_EQ(rows(), 0);
  postgres_.query("ALTER TABLE healthcheck RENAME COLUMN body_size TO body_bytes");
  ASSERT_TRUE(test::eventually([&] { return rows() == 400; }, seconds(60))) << consumer.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_TRUE(test::eventually([&] { return healthz(200) == "ok\n"; }, seconds(10)))
      << consumer.log();
  auto letters =
      test::read_topic(broker_.bootstrap_servers(), "checks.dlq", kPartitions, 1, seconds(2));
  EXPECT_TRUE(letters.empty()) << letters.size() << " dead letters";
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

// A lock held on the table from psql: the writer waits (bounded by lock_timeout), /healthz
// says so, the group keeps the member, and every row arrives once the lock is gone.
TEST_F(ConsumerDbErrors, ATableLockedFromPsqlMakesTheWriterBusyVisiblyThenEveryRowArrives) {
  ConsumerProcess& consumer = start_consumer("  writer_busy_unhealthy_after_ms: 1000\n");
  TestProducer producer(broker_.bootstrap_servers());
  auto published = producer.send_many("checks", 200, 10);
  ASSERT_TRUE(test::eventually([&] { return rows() == 200; }, seconds(60))) << consumer.log();

  // psql holds ACCESS EXCLUSIVE until its sleep ends.
  const std::string hold_lock =
      "BEGIN; LOCK TABLE healthcheck IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;";
  test::ChildProcess locker({"psql", "-XAtq", "-d", postgres_.uri(), "-c", hold_lock});
  ASSERT_TRUE(test::eventually(
      [&] {
        return postgres_.query(
                   "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = "
                   "l.relation WHERE c.relname = 'healthcheck' AND l.mode = "
                   "'AccessExclusiveLock' AND l.granted") == "1";
      },
      seconds(10)));
  auto during = producer.send_many("checks", 300, 10, 1'796'000'000'000'000);
  published.insert(during.begin(), during.end());
  std::string busy;
  ASSERT_TRUE(test::eventually(
      [&] {
        busy = healthz(503);
        return busy.find("writer busy for") != std::string::npos;
      },
      seconds(10)))
      << "last: " << busy << "\n"
      << consumer.log();
  EXPECT_TRUE(locker.wait_for_exit(seconds(30)).has_value());
  ASSERT_TRUE(test::eventually([&] { return rows() == 500; }, seconds(60))) << consumer.log();
  EXPECT_EQ(stored_keys(), published);
  EXPECT_TRUE(test::eventually([&] { return healthz(200) == "ok\n"; }, seconds(10)))
      << consumer.log();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

}  // namespace
}  // namespace hc::e2e
