// Publishes state-change events (hc/common/state_event.h) to their events topics, keyed by
// URL, through an idempotent librdkafka producer of their own (acks=all).
//
// Why a producer of its own: a lost transition is worse than a lost sample. Measurements are
// dropped beyond max_queued_messages while Kafka is away; events must not be pushed out by
// that backlog, so they have their own queue with its own bound (kMaxQueuedEvents, far above
// any realistic number of changes during an outage) and no delivery timeout
// (message.timeout.ms = 0): an event waits for the brokers as long as the process runs. Only
// beyond that bound, or when the producer is stopped with events still queued after the
// flush, is an event lost; both are counted and logged as errors.
//
// Delivery is confirmed: hc_state_changes_total{to} counts the events the brokers
// acknowledged. A fatal error of the idempotent producer drops it and makes a new one, like
// the measurement Publisher (its queued events are lost and counted).
//
// Threads: publish() from the check loops, several at once; poll(), flush() and the rest from
// the coordinator, on which the delivery and error callbacks run (inside poll() and flush()).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/state_event.h"
#include "recreatable_producer.h"
#include "sinks.h"

namespace hc::producer {

// Counters of events, readable from any thread (metrics, log lines); they only grow.
struct EventStats {
  using Counter = std::atomic<std::uint64_t>;
  Counter queued{0};                   // handed to librdkafka
  std::array<Counter, 3> delivered{};  // acknowledged, by `to` (index: SiteStatus)
  Counter dropped{0};                  // not queued: own bound reached, or produce failed
  Counter delivery_failures{0};        // delivery report with an error, or lost to a fatal error
  Counter producer_recreations{0};
  // Restore at start (state_restore.h).
  Counter restored_sites{0};                  // sites seeded from their latest event
  Counter restore_skipped_events{0};          // records on an events topic that were no valid event
  std::atomic<bool> restore_complete{false};  // every partition read to its high watermark

  std::uint64_t delivered_total() const;
  std::size_t queue_depth() const;  // queued, neither delivered nor failed yet
};

class EventPublisher final : public EventSink {
 public:
  static constexpr std::size_t kMaxQueuedEvents = 100000;

  // Throws std::runtime_error if the producer cannot be created. `stats` must outlive this.
  EventPublisher(const KafkaSettings& kafka, EventStats& stats);
  ~EventPublisher() override;
  EventPublisher(const EventPublisher&) = delete;
  EventPublisher& operator=(const EventPublisher&) = delete;

  // Queues `event` for `topic` (key = event.url). False when it was dropped (counted, logged).
  bool publish(const std::string& topic, const StateEvent& event) override;

  // Serves delivery reports; recreates the producer after a fatal error.
  void poll(std::chrono::milliseconds timeout = std::chrono::milliseconds::zero()) override;

  // Waits up to `timeout` for every queued event to be acknowledged; returns how many were
  // not (they are lost with this process: counted and logged).
  std::size_t flush(std::chrono::milliseconds timeout) override;

  // For tests that inject faults (rd_kafka_test_fatal_error).
  rd_kafka_t* handle_for_testing() { return producer_.handle_for_testing(); }

  // URLs in log lines are shown with these query parameters redacted.
  // REQUIRES: called before publish() runs on other threads.
  void redact_query_params_in_logs(std::vector<std::string> params) {
    redact_query_params_ = std::move(params);
  }

 private:
  static void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* self);
  static void on_error(rd_kafka_t* handle, int error, const char* reason, void* self);
  KafkaHandle create_producer();

  KafkaSettings kafka_;
  EventStats& stats_;
  std::vector<std::string> redact_query_params_;
  RecreatableProducer producer_;  // after the members create_producer() reads
};

}  // namespace hc::producer
