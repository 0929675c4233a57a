// PostgreSQL going away under hc --consumer mid-stream: the server stopped for 30 s, the
// writer's connections terminated mid-batch, the table locked for 20 s. Each ends with
// exactly one row per message and the consumer still running.
#include "fault_fixture.h"

namespace hc::faults {
namespace {

constexpr int kPartitions = 8;
constexpr int kSites = 200;
constexpr long kMessages = 60'000;

class PostgresFaults : public ::testing::Test {
 protected:
  PostgresFaults() : broker_({{"checks", kPartitions}, {"checks.dlq", 4}}) {}

  // A consumer with small batches, so the stream takes many transactions.
  FaultConsumer start_consumer() {
    FaultConsumer::Options options;
    options.batch_max_rows = 200;
    return FaultConsumer(dir_.path(), "consumer", broker_.bootstrap_servers(),
                         {{"checks", postgres_.uri(), "healthcheck"}}, options);
  }
  long rows() { return count_rows(postgres_); }
  // The state a fault is injected into: the first half of the stream in the topic, then
  // the consumer started (wait for a_tenth_written() before injecting).
  FaultConsumer start_consumer_after_first_half(StreamProducer& producer) {
    producer.send_stream("checks", 0, kMessages / 2, kSites);
    producer.flush();
    return start_consumer();
  }
  bool a_tenth_written() {
    return test::eventually([&] { return rows() >= kMessages / 10; }, seconds(60));
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  test::TempPostgres postgres_;
};

TEST_F(PostgresFaults, ServerStoppedFor30sMidStreamThenEveryRowOnceAfterRestart) {
  StreamProducer producer(broker_.bootstrap_servers());
  FaultConsumer consumer = start_consumer_after_first_half(producer);
  ASSERT_TRUE(a_tenth_written()) << consumer.log_tail();

  postgres_.stop_server();
  const auto outage_started = std::chrono::steady_clock::now();
  producer.send_stream("checks", kMessages / 2, kMessages / 2, kSites);  // arrives meanwhile
  producer.flush();
  std::string during;
  EXPECT_TRUE(test::eventually(
      [&] {
        auto reply = consumer.healthz();
        during = reply ? std::to_string(reply->status) + " " + reply->body : "no answer";
        return during.starts_with("503 ");
      },
      seconds(20)))
      << "/healthz during the outage: " << during;
  EXPECT_EQ(consumer.metric("hc_database_up"), 0);
  // The fault itself: the server stays away for 30 s (the figure).
  std::this_thread::sleep_until(outage_started + seconds(30));
  ASSERT_TRUE(consumer.running()) << consumer.log_tail();

  postgres_.start_server();
  const auto back = std::chrono::steady_clock::now();
  const bool complete = test::eventually([&] { return rows() == kMessages; }, seconds(120));
  const double recovery_s = seconds_since(back);
  report_figures({"postgres stopped 30 s", recovery_s, kMessages, rows(), 0, 0});
  ASSERT_TRUE(complete) << rows() << "\n" << consumer.log_tail();
  EXPECT_EQ(verify_stream(postgres_, kMessages, kSites), "");
  EXPECT_TRUE(test::eventually(
      [&] {
        auto reply = consumer.healthz();
        return reply && reply->status == 200;
      },
      seconds(10)));
  EXPECT_EQ(consumer.stop(), 0) << consumer.log_tail();
}

TEST_F(PostgresFaults, WriterConnectionsTerminatedMidBatchThenEveryRowOnce) {
  constexpr int kRounds = 5;
  constexpr long kChunk = kMessages / kRounds;
  StreamProducer producer(broker_.bootstrap_servers());
  FaultConsumer consumer = start_consumer();
  const std::string writers =
      "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> "
      "pg_backend_pid() AND datname = 'postgres'";
  // Five rounds, each feeding a fresh chunk of the stream (so there is always something
  // being written): once the consumer writes rows of the chunk, terminate its connections
  // that are inside a transaction (mid-batch) as soon as one is seen (up to 3 s), then all
  // the others.
  int terminated = 0;
  int mid_transaction = 0;
  for (int round = 0; round < kRounds; ++round) {
    const long before = std::max(rows(), 0L);
    producer.send_stream("checks", round * kChunk, kChunk, kSites);
    producer.flush();
    ASSERT_TRUE(test::eventually([&] { return rows() > before; }, seconds(60)))
        << "round " << round << "\n"
        << consumer.log_tail();
    int in_transaction = 0;
    test::eventually(
        [&] {
          in_transaction = std::stoi(
              postgres_.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) " +
                              writers + " AND state IN ('active', 'idle in transaction')"));
          return in_transaction > 0;
        },
        seconds(3));
    const int ended_now =
        in_transaction +
        std::stoi(
            postgres_.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) " + writers));
    EXPECT_GE(ended_now, 1) << "round " << round << ": no connection of the consumer to end";
    terminated += ended_now;
    mid_transaction += in_transaction;
  }
  const auto last_termination = std::chrono::steady_clock::now();

  const bool complete = test::eventually([&] { return rows() == kMessages; }, seconds(120));
  report_figures({"pg_terminate_backend x5 (" + std::to_string(terminated) + " connections, " +
                      std::to_string(mid_transaction) + " in a transaction)",
                  seconds_since(last_termination), kMessages, rows(), 0, 0});
  ASSERT_TRUE(complete) << rows() << "\n" << consumer.log_tail();
  EXPECT_EQ(verify_stream(postgres_, kMessages, kSites), "");
  EXPECT_TRUE(consumer.running());
  EXPECT_EQ(consumer.stop(), 0) << consumer.log_tail();
}

TEST_F(PostgresFaults, TableLockedFor20sThenEveryRowOnceAfterRelease) {
  StreamProducer producer(broker_.bootstrap_servers());
  FaultConsumer consumer = start_consumer_after_first_half(producer);
  ASSERT_TRUE(a_tenth_written()) << consumer.log_tail();

  // Another session takes the table for 20 s (the figure), as an operator's psql
  // would. It is ours to end: it is a child process.
  const auto lock_log = dir_.path() / "lock.log";
  test::ChildProcess::Options options;
  options.stdout_file = lock_log;
  options.stderr_file = lock_log;
  const std::string hold_the_lock =
      "BEGIN; LOCK TABLE healthcheck IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(20); COMMIT;";
  test::ChildProcess holder(
      {"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", postgres_.uri(), "-c", hold_the_lock},
      options);
  const auto locked_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::eventually(
      [&] {
        return postgres_.query(
                   "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                   "WHERE c.relname = 'healthcheck' AND l.mode = 'AccessExclusiveLock' "
                   "AND l.granted") == "1";
      },
      seconds(10)));
  producer.send_stream("checks", kMessages / 2, kMessages / 2, kSites);  // arrives meanwhile
  producer.flush();
  // While the lock is held, the row count cannot be read either (count(*) would wait):
  // only the consumer's liveness is checked, through its /healthz answering at all.
  std::string during;
  EXPECT_TRUE(test::eventually(
      [&] {
        auto reply = consumer.healthz();
        during = reply ? std::to_string(reply->status) + " " + reply->body : "";
        return !during.empty();
      },
      seconds(10)))
      << "no /healthz answer while the table is locked";
  std::cout << "/healthz while the table is locked: " << during << std::endl;

  ASSERT_EQ(holder.wait_for_exit(seconds(40)), 0) << "the locking session failed";
  const double locked_s = seconds_since(locked_at);
  const auto released = std::chrono::steady_clock::now();
  EXPECT_GE(locked_s, 20.0);
  const bool complete = test::eventually([&] { return rows() == kMessages; }, seconds(120));
  report_figures({"LOCK TABLE 20 s", seconds_since(released), kMessages, rows(), 0, 0});
  ASSERT_TRUE(complete) << rows() << "\n" << consumer.log_tail();
  EXPECT_EQ(verify_stream(postgres_, kMessages, kSites), "");
  EXPECT_TRUE(consumer.running());
  EXPECT_EQ(consumer.stop(), 0) << consumer.log_tail();
}

}  // namespace
}  // namespace hc::faults
