// The consumer role's loop: poll -> decode -> batch -> write every database -> commit.
//
// Runs on the thread that calls run(); every part it owns (group consumer, sinks,
// dead-letter producer, batch) is used from that thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch.h"
#include "consumer_stats.h"
#include "dead_letter.h"
#include "group_consumer.h"
#include "hc/common/config.h"
#include "hc/common/signals.h"
#include "pg_sink.h"
#include "router.h"

namespace hc::consumer {

class ConsumerLoop final : public RebalanceListener {
 public:
  // REQUIRES: the tables are migrated (migrate_all) before run().
  ConsumerLoop(const ConsumerConfig& config, StopControl& control);
  ~ConsumerLoop() override;

  // Until control.stop_requested(); then writes the batch in hand (bounded retries),
  // commits, leaves the group and returns 0.
  int run();

  void on_assigned(const rd_kafka_topic_partition_list_t& partitions) override;
  void on_revoking(const rd_kafka_topic_partition_list_t& partitions) override;

 private:
  using Clock = std::chrono::steady_clock;

  void handle(std::vector<KafkaMessage> messages);
  void log_poll_error(const rd_kafka_message_t& message);
  // Writes every database not yet written for this batch, waits for the dead letters,
  // then commits the batch's offsets. True when the batch is done (and cleared).
  bool write_and_commit();
  bool write_databases();
  void commit_offsets();
  void enter_outage(std::size_t database, const std::string& error);
  void leave_outage();
  bool probe_databases();  // during an outage with nothing in hand
  void drop_batch(const char* why);

  const ConsumerConfig& config_;
  StopControl& control_;
  Router router_;
  ConsumerStats stats_;
  StatsReporter reporter_;
  std::vector<std::unique_ptr<PgSink>> databases_;
  std::vector<bool> database_written_;  // for the batch in hand
  Batch batch_;
  DeadLetterProducer dead_letters_;

  // Database outage: partitions paused, retries with capped exponential backoff.
  struct Outage {
    std::size_t database = 0;
    Clock::time_point since;
    std::chrono::milliseconds backoff{0};
    Clock::time_point next_attempt;
    std::size_t attempts = 0;
  };
  std::optional<Outage> outage_;
  bool closing_ = false;
  std::string last_poll_error_;

  // Last: constructed after (and destroyed before) everything its callbacks touch.
  std::unique_ptr<GroupConsumer> group_;
};

}  // namespace hc::consumer
