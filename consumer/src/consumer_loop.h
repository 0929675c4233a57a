// The consumer role's loop: poll -> decode -> batch -> write every database -> commit.
//
// Built from injected parts (ConsumerParts): the group membership (GroupClient), the
// dead-letter sink, the row sinks the BatchWriter writes through, and the clock. Production
// uses Kafka and PostgreSQL (kafka_and_postgres_parts in consumer.cpp); tests use fakes to
// drive outages, refused rows, rebalances and time.
//
// Runs on the thread that calls run() (or step()). The group client, dead-letter sink and
// the batch in hand are used from that thread only; the databases are written by the
// BatchWriter's thread, one batch at a time, while this thread reads the next one.
// Offsets are committed here, in batch order, after the writer reported every database of
// the batch committed and the batch's dead letters are durable.
//
// What a failed write does depends on its class (db_error.h): outage and busy pause the
// partitions and retry with backoff; definition does the same, reported on /healthz with
// Postgres' message and logged at error once a minute, until the table is fixed. Refused
// rows never fail a write: the writer leaves them out and this loop dead-letters them
// (reason db_rejected) before committing. A write that takes long keeps the group served:
// once the next batch is full and the write has run for a second, the partitions are
// paused and polling goes on; /healthz reports "writer busy for N s" past
// writer_busy_unhealthy_after.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch.h"
#include "batch_writer.h"
#include "consumer_stats.h"
#include "dead_letter_sink.h"
#include "group_client.h"
#include "hc/common/clock.h"
#include "hc/common/config.h"
#include "hc/common/signals.h"
#include "hc/store/db_error.h"
#include "router.h"
#include "write_state.h"

namespace hc::consumer {

struct ConsumerParts {
  // Joins the group for `topics`; rebalances are reported to `listener` (the loop).
  std::function<std::unique_ptr<GroupClient>(const std::vector<std::string>& topics,
                                             RebalanceListener& listener)>
      make_group;
  // The dead-letter sink; it may count into `stats`.
  std::function<std::unique_ptr<DeadLetterSink>(ConsumerStats& stats)> make_dead_letters;
  RowSinkFactory make_row_sink;
  std::shared_ptr<const Clock> clock;
};

class ConsumerLoop final : public RebalanceListener {
 public:
  // REQUIRES: the tables are migrated (migrate_all) before run(); every part is set.
  ConsumerLoop(const ConsumerConfig& config, StopControl& control, ConsumerParts parts);
  // Leaves the group first (its revoke callback still finds the writer), then stops the
  // writer (waiting for a write in flight, which statement_timeout bounds).
  ~ConsumerLoop() override;
  ConsumerLoop(const ConsumerLoop&) = delete;
  ConsumerLoop& operator=(const ConsumerLoop&) = delete;

  // step() until control.stop_requested(); then writes the batches in hand (bounded retries),
  // commits, leaves the group and returns 0.
  int run();

  // One turn of run(): takes a finished write's result, starts the next write if one is
  // due, polls once (at most 100 ms). For tests that drive the loop turn by turn.
  void step();

  // Counters for the metrics endpoint: readable from any thread while run() runs.
  const ConsumerStats& stats() const { return stats_; }
  // For other threads of the role that count into the same stats (table upkeep).
  ConsumerStats& stats() { return stats_; }

  void on_assigned(const rd_kafka_topic_partition_list_t& partitions) override;
  void on_revoking(const rd_kafka_topic_partition_list_t& partitions) override;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  void handle(const PolledBatch& polled);
  void log_poll_error(const PolledRecord& record);
  // Hands the next batch to the writer if it is idle and one is due (a held batch
  // first, so offsets are committed in order); during an outage, also the probes.
  void start_next_write(TimePoint now, bool flush_all);
  void start_write(PendingBatch pending, TimePoint now);
  // Takes the writer's result if it finished within `timeout`: commits, or holds the
  // batch for a retry, as the write state machine decides.
  void collect_write(std::chrono::milliseconds timeout);
  // Runs the write state machine (write_state.h) on `event` and carries out its actions on
  // the group, the stats and the log; the batch's own (commit, hold) are the caller's.
  WriteActions apply(const WriteEvent& event, TimePoint now);
  // When a held batch, or a probe while failing, is due.
  TimePoint retry_at() const { return write_state_.retry_at.value_or(TimePoint{}); }
  // Sends the rows the databases refused to the dead-letter topics (once per message).
  void dead_letter_refused_rows(std::vector<RejectedRow> rejected);
  void commit(const PendingBatch& pending, CommitMode mode);
  // The batch being filled, handed to the writer; the next one reuses a written batch's
  // storage (recycle) when there is one, so a batch's rows are not allocated afresh each time.
  PendingBatch take_batch();
  void recycle(Batch written);
  void drop_uncommitted(const char* why);
  void on_commit_failed(rd_kafka_resp_err_t error);
  // Client-level Kafka errors (GroupConsumer::set_error_handler): "all brokers down" makes
  // /healthz and hc_kafka_up say so until the group answers again (an assignment, or a
  // broker answering probe_brokers); each distinct error is logged once. A polled record
  // is no sign: it may have been fetched before the outage.
  void on_kafka_error(rd_kafka_resp_err_t error, const std::string& reason);
  // While Kafka is unreachable, asks a broker every kBrokerProbeInterval whether it is back.
  void probe_brokers(TimePoint now);

  const ConsumerConfig& config_;
  StopControl& control_;
  std::shared_ptr<const Clock> clock_;
  Router router_;
  ConsumerStats stats_;
  StatsReporter reporter_;
  Batch batch_;                       // being filled
  std::optional<Batch> spare_;        // a written batch, emptied, its capacity kept
  std::optional<PendingBatch> held_;  // written partly or not at all: retried at retry_at()
  std::uint64_t generation_ = 0;      // bumped at every revoke
  WriteSettings write_settings_;
  WriteState write_state_;
  TimePoint next_summary_{};
  TimePoint next_broker_probe_{};

  std::string last_poll_error_;
  TimePoint refused_rows_logged_at_{};
  std::size_t refused_rows_unlogged_ = 0;
  // The failed commit logged last, when, and how many failed like it since (on_commit_failed).
  rd_kafka_resp_err_t commit_failure_logged_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  TimePoint commit_failure_logged_at_{};
  std::size_t commit_failures_unlogged_ = 0;

  // Declared in the order they are built; destroyed in reverse: the group client first (its
  // close runs on_revoking, which uses the writer and the dead-letter sink).
  std::unique_ptr<DeadLetterSink> dead_letters_;
  std::unique_ptr<BatchWriter> writer_;
  std::unique_ptr<GroupClient> group_;
};

}  // namespace hc::consumer
