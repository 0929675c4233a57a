// Partitions and retention through hc --consumer: test producer -> hc-devbroker -> consumer ->
// PostgreSQL. A stream with one message per day over two centuries is written without a
// database error (old days in the catch-all, the next days' partitions created on demand) and
// creates a bounded number of partitions, the far future refused as future_time dead letters;
// rows older than retention_days are counted, not written, and their offsets commit.
#include <gtest/gtest.h>
#include <httplib.h>

#include "consumer_e2e_fixture.h"

namespace hc::e2e {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

// Enough partitions that the dev broker keeps the whole stream (about 5 MB each).
constexpr int kPartitions = 16;

class ConsumerPartitions : public ::testing::Test {
 protected:
  ConsumerPartitions() : broker_({{"checks", kPartitions}, {"checks.dlq", kPartitions}}) {}

  long rows() { return postgres_.row_count(); }
  ConsumerProcess& start_consumer(const std::string& route_settings = "") {
    return consumer_.emplace(
        dir_.path(), "consumer", broker_.bootstrap_servers(), "g1",
        std::vector<Route>{{"checks", postgres_.uri(), "healthcheck", route_settings}}, "",
        std::vector<std::string>{"--metrics-addr", "127.0.0.1:" + std::to_string(port_)});
  }
  std::string metrics() {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get("/metrics");
    return response ? response->body : std::string();
  }
  static std::int64_t micros(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  test::TempPostgres postgres_;
  int port_ = test::unused_loopback_port();
  std::optional<ConsumerProcess> consumer_;  // last: stopped before the servers
};

TEST_F(ConsumerPartitions, OneMessagePerDayOverTwoCenturiesMakesBoundedPartitionsNoDbError) {
  using std::chrono::sys_days;
  const auto now = std::chrono::system_clock::now();
  // The consumer refuses times after its clock + 7 days; days within a day of that edge are
  // left out, so the count does not depend on when exactly the consumer reads them.
  const auto edge = now + days(7);
  TestProducer producer(broker_.bootstrap_servers());
  long written = 0;
  long refused = 0;
  int i = 0;
  for (sys_days day = sys_days(std::chrono::year(1900) / 1 / 1);
       day <= sys_days(std::chrono::year(2100) / 12 / 31); day += days(1), ++i) {
    const auto time = day + hours(12);
    if (time > edge - days(1) && time < edge + days(1)) continue;
    producer.send("checks", measurement(site_url(i % 1000), micros(time)));
    (time < edge ? written : refused) += 1;
  }
  producer.flush();
  ConsumerProcess& consumer = start_consumer();
  ASSERT_TRUE(test::eventually([&] { return rows() == written; }, seconds(120)))
      << rows() << " of " << written << "\n"
      << consumer.log();
  ASSERT_TRUE(test::eventually(
      [&] {
        return metrics().find("hc_dead_letter_messages_total{reason=\"future_time\"} " +
                              std::to_string(refused) + "\n") != std::string::npos;
      },
      seconds(60)))
      << metrics();
  const std::string after = metrics();
  EXPECT_NE(after.find("hc_dead_letter_messages_total{reason=\"db_rejected\"} 0\n"),
            std::string::npos)
      << after;
  EXPECT_NE(after.find("hc_database_errors_total{class=\"row_data\"} 0\n"), std::string::npos)
      << after;
  // The catch-all, today and the days up to the edge: about ten, not 70,000.
  const long partitions = std::stol(postgres_.query(
      "SELECT count(*) FROM pg_inherits WHERE inhparent = 'healthcheck'::regclass"));
  EXPECT_GE(partitions, 5);
  EXPECT_LE(partitions, 11);
  EXPECT_EQ(postgres_.query("SELECT count(*) FROM healthcheck_before"),
            postgres_.query("SELECT count(*) FROM healthcheck WHERE measurement_time <"
                            " date_trunc('day', now(), 'UTC')"));
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

TEST_F(ConsumerPartitions, RowsOlderThanRetentionAreCountedNotWrittenAndTheirOffsetsCommit) {
  const auto now = std::chrono::system_clock::now();
  TestProducer producer(broker_.bootstrap_servers());
  std::set<RowKey> kept;
  for (int i = 0; i < 60; ++i) {
    const auto age = i % 3 == 0 ? days(40) : i % 3 == 1 ? days(10) : days(0);
    const RowKey key =
        producer.send("checks", measurement(site_url(i), micros(now - age - hours(1))));
    if (age != days(40)) kept.insert(key);
  }
  producer.flush();
  ConsumerProcess& consumer = start_consumer("retention_days: 30");
  ASSERT_TRUE(test::eventually([&] { return rows() == 40; }, seconds(60))) << consumer.log();
  ASSERT_TRUE(test::eventually(
      [&] {
        return metrics().find("hc_rows_expired_total{database=\"" + postgres_.uri() +
                              "\",table=\"healthcheck\"} 20\n") != std::string::npos;
      },
      seconds(30)))
      << metrics();
  EXPECT_NE(metrics().find("hc_dead_letter_messages_total{reason=\"future_time\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(postgres_.query("SELECT count(*) FROM healthcheck WHERE measurement_time <"
                            " now() - interval '30 days'"),
            "0");
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
  // Committed: a new member of the group reads nothing (no expired row counted again).
  ConsumerProcess& again = start_consumer("retention_days: 30");
  producer.send("checks", measurement(site_url(999), micros(now)));
  producer.flush();
  ASSERT_TRUE(test::eventually([&] { return rows() == 41; }, seconds(60))) << again.log();
  EXPECT_NE(metrics().find("hc_rows_expired_total{database=\"" + postgres_.uri() +
                           "\",table=\"healthcheck\"} 0\n"),
            std::string::npos)
      << metrics();
  EXPECT_EQ(again.stop(), 0) << again.log();
}

}  // namespace
}  // namespace hc::e2e
