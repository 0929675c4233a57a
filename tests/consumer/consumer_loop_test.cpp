// ConsumerLoop's state machine through its seams: a fake group, fake databases, a fake
// dead-letter sink and a fake clock. The loop is driven turn by turn (step()); time moves
// only when a test advances the clock.
#include "consumer_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "hc/common/url_digest.h"
#include "hc/test/fake_clock.h"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// One database shared by all its fake connections: what was committed, and how it fails.
struct FakeDatabase {
  std::mutex mutex;
  std::condition_variable changed;
  // Committed rows of all tables by key: like the upsert, a row written twice is one row.
  std::map<std::pair<std::string, std::int64_t>, Measurement> rows;
  std::size_t transactions = 0;    // write() calls that reached the database
  std::optional<DbError> failure;  // every call fails with it while set
  std::function<bool(const Measurement&)> refuses = [](const Measurement&) { return false; };
  bool refuses_canary = false;
  bool hang = false;  // writes block until cleared
  int hanging = 0;    // writes blocked now
  bool sinks_destroyed = false;
  bool closed = false;              // the group client was closed
  bool closed_after_sinks = false;  // ... after the writer's sinks were destroyed

  std::size_t row_count() {
    std::lock_guard lock(mutex);
    return rows.size();
  }
  void set_failure(std::optional<DbError> error) {
    std::lock_guard lock(mutex);
    failure = std::move(error);
  }
  void set_hang(bool on) {
    std::lock_guard lock(mutex);
    hang = on;
    changed.notify_all();
  }
};

class FakeRowSink final : public RowSink {
 public:
  explicit FakeRowSink(std::shared_ptr<FakeDatabase> database) : database_(std::move(database)) {}
  ~FakeRowSink() override {
    std::lock_guard lock(database_->mutex);
    database_->sinks_destroyed = true;
  }
  const std::string& name() const override { return name_; }

  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane) override {
    std::unique_lock lock(database_->mutex);
    ++database_->transactions;
    if (database_->hang) {
      ++database_->hanging;
      database_->changed.notify_all();
      database_->changed.wait_for(lock, seconds(30), [this] { return !database_->hang; });
      --database_->hanging;
    }
    if (database_->failure) throw *database_->failure;
    std::vector<Measurement> accepted;
    for (const TableRows* rows : rows_per_table) {
      if (rows == nullptr) continue;
      for (const Row& any_row : rows->rows()) {
        if (!lane.holds(any_row)) continue;
        const auto& row = std::get<Measurement>(any_row);
        if (database_->refuses(row)) {
          throw DbError(DbErrorClass::kRowData, "23514",
                        "new row violates check constraint \"fake\" for " + row.url,
                        "writing to table healthcheck in database fake");
        }
        accepted.push_back(row);
      }
    }
    for (Measurement& row : accepted) {
      auto key = std::make_pair(row.url, row.measured_at.time_since_epoch().count());
      database_->rows.insert_or_assign(std::move(key), std::move(row));
    }
  }
  void ping() override {
    std::lock_guard lock(database_->mutex);
    if (database_->failure) throw *database_->failure;
  }
  void check_table_accepts_rows(std::size_t) override {
    std::lock_guard lock(database_->mutex);
    if (database_->failure) throw *database_->failure;
    if (database_->refuses_canary) {
      throw DbError(DbErrorClass::kRowData, "22P02", "invalid input syntax for type integer",
                    "checking table healthcheck in database fake");
    }
  }

 private:
  std::shared_ptr<FakeDatabase> database_;
  std::string name_ = "fake";
};

class FakeDeadLetters final : public DeadLetterSink {
 public:
  void send(DeadLetter letter) override { sent.push_back(std::move(letter)); }
  bool flush(milliseconds) override { return true; }
  std::size_t pending() const override { return 0; }
  std::vector<DeadLetter> sent;
};

class FakeGroup final : public GroupClient {
 public:
  FakeGroup(RebalanceListener& listener, std::shared_ptr<FakeDatabase> database)
      : listener_(listener), database_(std::move(database)) {}

  void add(std::int32_t partition, const Measurement& m) {
    keys_.push_back(m.url);
    values_.push_back(encode_message(m));
    PolledRecord record;
    record.topic = topic_;
    record.partition = partition;
    record.offset = next_offset_[partition]++;
    record.key = keys_.back().data();
    record.key_bytes = keys_.back().size();
    record.value = values_.back().data();
    record.value_bytes = values_.back().size();
    queued_.push_back(record);
  }

  PolledBatch poll_batch(milliseconds, std::size_t max_messages) override {
    PolledBatch batch;
    while (!paused_ && !queued_.empty() && batch.records.size() < max_messages) {
      batch.records.push_back(queued_.front());
      queued_.pop_front();
    }
    return batch;
  }
  rd_kafka_resp_err_t commit(const std::vector<PartitionOffset>& offsets) override {
    record_commit(offsets);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  void commit_async(const std::vector<PartitionOffset>& offsets) override {
    record_commit(offsets);
  }
  void set_commit_failure_handler(std::function<void(rd_kafka_resp_err_t)>) override {}
  void set_error_handler(
      std::function<void(rd_kafka_resp_err_t, const std::string&)> on_error) override {
    on_error_ = std::move(on_error);
  }
  // What librdkafka reports inside a poll when it loses every broker.
  void lose_all_brokers() {
    on_error_(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "3/3 brokers are down");
  }
  bool brokers_answer(milliseconds) override {
    ++broker_probes;
    return brokers_up;
  }
  void pause() override { paused_ = true; }
  void resume() override { paused_ = false; }
  bool paused() const override { return paused_; }
  std::int64_t lag() const override { return -1; }
  std::function<void()> waker() const override {
    return [] {};
  }
  void close() override {
    if (closed_) return;
    closed_ = true;
    {
      std::lock_guard lock(database_->mutex);
      database_->closed_after_sinks = database_->sinks_destroyed;
      database_->closed = true;
    }
    revoke();
  }
  void revoke() {
    KafkaPartitionList none(rd_kafka_topic_partition_list_new(0));
    listener_.on_revoking(*none);
  }

  // Next offset committed per partition (the latest commit wins).
  std::map<std::int32_t, std::int64_t> committed;
  std::size_t commit_calls = 0;
  bool brokers_up = true;
  std::size_t broker_probes = 0;

 private:
  void record_commit(const std::vector<PartitionOffset>& offsets) {
    ++commit_calls;
    for (const auto& offset : offsets) committed[offset.partition] = offset.next_offset;
  }

  RebalanceListener& listener_;
  std::shared_ptr<FakeDatabase> database_;
  std::string topic_ = "checks";
  std::deque<std::string> keys_;
  std::deque<std::string> values_;
  std::deque<PolledRecord> queued_;
  std::map<std::int32_t, std::int64_t> next_offset_;
  bool paused_ = false;
  bool closed_ = false;
  std::function<void(rd_kafka_resp_err_t, const std::string&)> on_error_;
};

Measurement measurement(int site, std::int64_t at_us, int status = 200) {
  Measurement m;
  m.url = "https://site" + std::to_string(site) + ".test/";
  m.url_digest = url_digest(m.url);
  m.measured_at = WallTime(std::chrono::microseconds(at_us));
  m.status_code = status;
  m.response_time_us = 1000;
  m.producer = "test:1";
  return m;
}

DbError outage() {
  return DbError(DbErrorClass::kOutage, "", "connection refused", "database fake");
}
DbError dropped_column() {
  return DbError(DbErrorClass::kDefinition, "42703",
                 "column \"body_bytes\" of relation \"healthcheck\" does not exist",
                 "writing to table healthcheck in database fake");
}

class ConsumerLoopTest : public ::testing::Test {
 protected:
  ConsumerLoopTest() {
    config_.group_id = "g";
    config_.batch_max_rows = 100;
    config_.batch_max_wait = milliseconds(0);  // a batch is due as soon as it holds a row
    config_.connections_per_database = 2;
    config_.writer_busy_unhealthy_after = seconds(5);
    config_.topics = {{"checks", "fake://db", "healthcheck", "checks.dlq"}};
  }

  ConsumerLoop& loop() {
    if (!loop_) {
      ConsumerParts parts;
      parts.make_group = [this](const std::vector<std::string>&, RebalanceListener& listener) {
        auto group = std::make_unique<FakeGroup>(listener, database_);
        group_ = group.get();
        return group;
      };
      parts.make_dead_letters = [this](ConsumerStats&) {
        auto letters = std::make_unique<FakeDeadLetters>();
        letters_ = letters.get();
        return letters;
      };
      parts.make_row_sink = [this](const std::string&, const std::vector<TableSpec>&) {
        return std::make_unique<FakeRowSink>(database_);
      };
      parts.clock = clock_;
      loop_ = std::make_unique<ConsumerLoop>(config_, control_, std::move(parts));
    }
    return *loop_;
  }
  // Sends `count` messages over 4 partitions; returns how many per partition.
  std::map<std::int32_t, std::int64_t> send(int count, int first_site = 0,
                                            const std::function<int(int)>& status = {}) {
    loop();
    std::map<std::int32_t, std::int64_t> per_partition;
    for (int i = 0; i < count; ++i) {
      const std::int32_t partition = i % 4;
      group_->add(partition,
                  measurement(first_site + i, 1'795'000'000'000'000 + i, status ? status(i) : 200));
      ++per_partition[partition];
    }
    return per_partition;
  }
  // Turns the loop until `done` (real-time bound: the writer runs on its own thread).
  template <typename Condition>
  bool step_until(Condition done) {
    const auto give_up_at = std::chrono::steady_clock::now() + seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up_at) return false;
      loop().step();
    }
    return true;
  }
  std::string problem() { return loop().stats().problem().value_or("healthy"); }
  std::uint64_t errors(DbErrorClass error_class) {
    return loop().stats().database_errors.at(static_cast<std::size_t>(error_class)).load();
  }

  ConsumerConfig config_;
  StopControl control_;
  // Wall time near the rows' measurement times (which must not be far in its future).
  std::shared_ptr<test::FakeClock> clock_ =
      std::make_shared<test::FakeClock>(WallTime(std::chrono::microseconds(1'795'000'000'000'000)));
  std::shared_ptr<FakeDatabase> database_ = std::make_shared<FakeDatabase>();
  std::unique_ptr<ConsumerLoop> loop_;
  FakeGroup* group_ = nullptr;
  FakeDeadLetters* letters_ = nullptr;
};

TEST_F(ConsumerLoopTest, RowsTheDatabaseRefusesAreDeadLetteredOnceTheRestWrittenAndAllCommitted) {
  database_->refuses = [](const Measurement& m) { return m.status_code == 418; };
  auto sent = send(60, 0, [](int i) { return i % 20 == 7 ? 418 : 200; });
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  EXPECT_EQ(database_->row_count(), 57u);
  ASSERT_EQ(letters_->sent.size(), 3u);
  std::set<std::pair<std::int32_t, std::int64_t>> coordinates;
  for (const DeadLetter& letter : letters_->sent) {
    EXPECT_EQ(letter.topic, "checks.dlq");
    EXPECT_EQ(letter.reason, "db_rejected");
    EXPECT_EQ(letter.source_topic, "checks");
    coordinates.emplace(letter.source_partition, letter.source_offset);
    auto decoded = decode_message(letter.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
    EXPECT_EQ(std::get<Measurement>(decoded).status_code, 418);
    EXPECT_EQ(letter.key, std::get<Measurement>(decoded).url);
    EXPECT_NE(letter.detail.find("violates check constraint"), std::string::npos) << letter.detail;
    EXPECT_EQ(letter.extra_headers.at(0),
              (std::pair<std::string, std::string>{"hc-dlq-sqlstate", "23514"}));
  }
  // Messages 7, 27 and 47: partition 3, offsets 1, 6 and 11.
  EXPECT_EQ(coordinates,
            (std::set<std::pair<std::int32_t, std::int64_t>>{{3, 1}, {3, 6}, {3, 11}}));
  EXPECT_EQ(errors(DbErrorClass::kRowData), 3u);
  EXPECT_EQ(problem(), "healthy");
  EXPECT_FALSE(group_->paused());
}

TEST_F(ConsumerLoopTest, BisectCostsAboutTwoLog2TransactionsPerRefusedRow) {
  config_.batch_max_rows = 1024;  // one poll brings the whole batch
  config_.connections_per_database = 1;
  database_->refuses = [](const Measurement& m) { return m.status_code == 418; };
  auto sent = send(1024, 0, [](int i) { return i == 600 ? 418 : 200; });
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  // The failed batch, then at most two halves per level of log2(1024) = 10 levels.
  EXPECT_LE(database_->transactions, 1u + 2 * 10);
  EXPECT_EQ(database_->row_count(), 1023u);
  EXPECT_EQ(letters_->sent.size(), 1u);
}

TEST_F(ConsumerLoopTest, ABatchTheDatabaseRefusesWhollyStillFinishes) {
  database_->refuses = [](const Measurement&) { return true; };
  auto sent = send(64);
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  EXPECT_EQ(letters_->sent.size(), 64u);
  EXPECT_EQ(database_->row_count(), 0u);
  // Both lanes' first try, then every node of the bisection tree: 2 + (2 * 64 - 1).
  EXPECT_LE(database_->transactions, 2u * 64 + 1);
}

TEST_F(ConsumerLoopTest, AnOutagePausesCommitsNothingRetriesWithBackoffAndResumes) {
  database_->set_failure(outage());
  auto sent = send(10);
  ASSERT_TRUE(step_until([&] { return group_->paused(); }));
  EXPECT_NE(problem().find("database unavailable: database fake: connection refused"),
            std::string::npos)
      << problem();
  EXPECT_FALSE(loop().stats().database_up.load());
  const std::size_t attempts = database_->transactions;
  for (int i = 0; i < 20; ++i) loop().step();  // no time passes: no retry
  EXPECT_EQ(database_->transactions, attempts);
  clock_->advance(milliseconds(250));  // past the first backoff (200 ms)
  ASSERT_TRUE(step_until([&] { return errors(DbErrorClass::kOutage) == 2; }));
  EXPECT_GT(database_->transactions, attempts);
  EXPECT_EQ(group_->commit_calls, 0u);
  database_->set_failure(std::nullopt);
  clock_->advance(milliseconds(500));  // past the doubled backoff
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  EXPECT_EQ(database_->row_count(), 10u);
  EXPECT_FALSE(group_->paused());
  EXPECT_EQ(problem(), "healthy");
  EXPECT_TRUE(loop().stats().database_up.load());
  EXPECT_TRUE(letters_->sent.empty());
  EXPECT_GE(errors(DbErrorClass::kOutage), 2u);
}

// Records fetched before the brokers went down are still polled after librdkafka said "all
// brokers down" (once): they are no sign that a broker is back; only a broker answering is.
TEST_F(ConsumerLoopTest, RecordsFetchedBeforeAnOutageDoNotMakeKafkaLookReachable) {
  loop();
  group_->brokers_up = false;
  group_->lose_all_brokers();
  EXPECT_FALSE(loop().stats().kafka_reachable.load());
  send(10);  // prefetched before the outage, polled after it
  ASSERT_TRUE(step_until([&] { return database_->row_count() == 10u; })) << problem();
  for (int i = 0; i < 10; ++i) loop().step();
  EXPECT_FALSE(loop().stats().kafka_reachable.load());
  const std::size_t probes = group_->broker_probes;
  EXPECT_GE(probes, 1u);
  for (int i = 0; i < 10; ++i) loop().step();  // no time passes: no new probe
  EXPECT_EQ(group_->broker_probes, probes);
  group_->brokers_up = true;
  clock_->advance(seconds(2));
  loop().step();
  EXPECT_TRUE(loop().stats().kafka_reachable.load());
  EXPECT_EQ(group_->broker_probes, probes + 1);
  for (int i = 0; i < 10; ++i) loop().step();  // reachable: no probe at all
  EXPECT_EQ(group_->broker_probes, probes + 1);
}

TEST_F(ConsumerLoopTest, ATableBrokenByHandIsReportedNotDeadLetteredAndRecoversWhenFixed) {
  database_->set_failure(dropped_column());
  auto sent = send(10);
  ASSERT_TRUE(step_until([&] { return group_->paused(); }));
  EXPECT_EQ(problem(),
            "database refuses writes: writing to table healthcheck in database fake: column "
            "\"body_bytes\" of relation \"healthcheck\" does not exist (SQLSTATE 42703); "
            "consumption paused until the table is fixed");
  EXPECT_EQ(errors(DbErrorClass::kDefinition), 1u);
  for (int retry = 0; retry < 8; ++retry) {  // backoff caps at 10 s: it keeps trying
    const std::size_t attempts = errors(DbErrorClass::kDefinition);
    clock_->advance(seconds(11));
    ASSERT_TRUE(step_until([&] { return errors(DbErrorClass::kDefinition) > attempts; }));
  }
  EXPECT_EQ(group_->commit_calls, 0u);
  EXPECT_TRUE(letters_->sent.empty());
  database_->set_failure(std::nullopt);  // an operator fixed the table
  clock_->advance(seconds(11));
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  EXPECT_EQ(database_->row_count(), 10u);
  EXPECT_EQ(problem(), "healthy");
}

TEST_F(ConsumerLoopTest, RowsRefusedWhileEvenAWellFormedRowIsRefusedAreATableProblem) {
  database_->refuses = [](const Measurement&) { return true; };
  database_->refuses_canary = true;  // e.g. a column's type changed by hand
  send(10);
  ASSERT_TRUE(step_until([&] { return group_->paused(); }));
  EXPECT_NE(problem().find("database refuses writes: table healthcheck in database fake refuses "
                           "every row: invalid input syntax for type integer (SQLSTATE 22P02)"),
            std::string::npos)
      << problem();
  EXPECT_TRUE(letters_->sent.empty());
  EXPECT_EQ(group_->commit_calls, 0u);
  EXPECT_EQ(errors(DbErrorClass::kDefinition), 1u);
}

TEST_F(ConsumerLoopTest, AWriteThatFinishesAfterItsPartitionsWereRevokedCommitsNothing) {
  database_->set_failure(outage());
  send(10);
  ASSERT_TRUE(step_until([&] { return group_->paused(); }));
  database_->set_failure(std::nullopt);
  database_->set_hang(true);
  clock_->advance(milliseconds(250));
  ASSERT_TRUE(step_until([&] {
    std::lock_guard lock(database_->mutex);
    return database_->hanging >= 1;
  }));
  group_->revoke();  // stuck: the revoke does not wait for the write
  database_->set_hang(false);
  clock_->advance(seconds(1));
  ASSERT_TRUE(step_until([&] { return database_->row_count() > 0; }));
  for (int i = 0; i < 50; ++i) loop().step();
  EXPECT_EQ(group_->commit_calls, 0u) << "the next owner commits those partitions";
}

TEST_F(ConsumerLoopTest, ALongWriteKeepsPollingWithPartitionsPausedAndShowsWriterBusy) {
  config_.batch_max_rows = 10;
  database_->set_hang(true);
  auto sent = send(10);
  ASSERT_TRUE(step_until([&] {
    std::lock_guard lock(database_->mutex);
    return database_->hanging >= 1;
  }));
  auto more = send(10, 100);
  ASSERT_TRUE(step_until([&] { return loop().stats().messages_consumed.load() == 20; }));
  EXPECT_FALSE(group_->paused()) << "a short write does not pause";
  clock_->advance(seconds(2));
  loop().step();
  EXPECT_TRUE(group_->paused()) << "the next batch is full and the write is slow";
  EXPECT_EQ(problem(), "healthy") << "not yet past writer_busy_unhealthy_after";
  clock_->advance(seconds(4));
  loop().step();
  EXPECT_NE(problem().find("database writer busy for 6 s"), std::string::npos) << problem();
  database_->set_hang(false);
  for (auto& [partition, count] : more) sent[partition] += count;
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; })) << problem();
  EXPECT_FALSE(group_->paused());
  EXPECT_EQ(problem(), "healthy");
}

TEST_F(ConsumerLoopTest, DestroyingTheLoopLeavesTheGroupWhileTheWriterStillExists) {
  auto sent = send(5);
  ASSERT_TRUE(step_until([&] { return group_->committed == sent; }));
  send(3, 50);
  loop().step();
  loop_.reset();  // the group's close runs on_revoking, which uses the writer
  EXPECT_TRUE(database_->closed);
  EXPECT_FALSE(database_->closed_after_sinks);
  EXPECT_TRUE(database_->sinks_destroyed);
}

}  // namespace
}  // namespace hc::consumer
