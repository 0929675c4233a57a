// The consumer role's loop: poll -> decode -> batch -> write every database -> commit.
//
// Runs on the thread that calls run(). The group consumer, dead-letter producer and the
// batch in hand are used from that thread only; the databases are written by the
// BatchWriter's thread, one batch at a time, while this thread reads the next one.
// Offsets are committed here, in batch order, after the writer reported every
// database of the batch committed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "batch.h"
#include "batch_writer.h"
#include "consumer_stats.h"
#include "dead_letter.h"
#include "group_consumer.h"
#include "hc/common/config.h"
#include "hc/common/signals.h"
#include "router.h"

namespace hc::consumer {

class ConsumerLoop final : public RebalanceListener {
 public:
  // REQUIRES: the tables are migrated (migrate_all) before run().
  ConsumerLoop(const ConsumerConfig& config, StopControl& control);
  ~ConsumerLoop() override;

  // Until control.stop_requested(); then writes the batches in hand (bounded retries),
  // commits, leaves the group and returns 0.
  int run();

  // Counters for the metrics endpoint: readable from any thread while run() runs.
  const ConsumerStats& stats() const { return stats_; }

  void on_assigned(const rd_kafka_topic_partition_list_t& partitions) override;
  void on_revoking(const rd_kafka_topic_partition_list_t& partitions) override;

 private:
  using Clock = std::chrono::steady_clock;

  void handle(std::vector<KafkaMessage> messages);
  void log_poll_error(const rd_kafka_message_t& message);
  // Hands the next batch to the writer if it is idle and one is due (a held batch
  // first, so offsets are committed in order); during an outage, also the probes.
  void start_next_write(Clock::time_point now, bool flush_all);
  // Takes the writer's result if it finished within `timeout`: commits, or holds the
  // batch for a retry and enters the outage state.
  void collect_write(std::chrono::milliseconds timeout);
  PendingBatch take_batch();
  void enter_outage(std::size_t database, const std::string& error);
  void leave_outage();
  // Pauses the partitions while a database is away or a written batch waits for its dead
  // letters (reading on would only pile messages up in memory); resumes when neither holds.
  void update_pause();
  void drop_uncommitted(const char* why);
  void on_commit_failed(rd_kafka_resp_err_t error);
  // Client-level Kafka errors (GroupConsumer::set_error_handler): "all brokers down" makes
  // /healthz and hc_kafka_up say so until the group answers again (an assignment or a
  // message); each distinct error is logged once.
  void on_kafka_error(rd_kafka_resp_err_t error, const std::string& reason);

  const ConsumerConfig& config_;
  StopControl& control_;
  Router router_;
  ConsumerStats stats_;
  StatsReporter reporter_;
  Batch batch_;                       // being filled
  std::optional<PendingBatch> held_;  // written partly or not at all: retried at retry_at_
  Clock::time_point retry_at_{};
  std::uint64_t generation_ = 0;  // bumped at every revoke
  DeadLetterProducer dead_letters_;

  // Database outage: partitions paused, retries with capped exponential backoff.
  struct Outage {
    std::size_t database = 0;
    Clock::time_point since;
    std::chrono::milliseconds backoff{0};
    std::size_t attempts = 0;
  };
  std::optional<Outage> outage_;
  bool dead_letters_blocked_ = false;  // a written batch waits for its dead letters
  bool closing_ = false;
  bool revoking_ = false;  // inside on_revoking: commits are synchronous
  std::string last_poll_error_;

  // Constructed after (and destroyed before) everything their callbacks touch.
  std::unique_ptr<GroupConsumer> group_;
  std::unique_ptr<BatchWriter> writer_;
};

}  // namespace hc::consumer
