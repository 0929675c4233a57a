// Publishes messages to Kafka through an idempotent librdkafka producer (acks=all).
//
// Never blocks the caller on Kafka: messages queue inside librdkafka up to
// max_queued_messages; beyond that they are dropped, counted and logged (rate-limited).
// Delivery failures are logged with topic and URL and counted. A fatal error (e.g. an
// idempotence sequence gap after a broker lost data) leaves librdkafka's producer unusable;
// the publisher then drops the old producer and creates a new one on the next poll().
//
// Thread: one thread (the producer loop) calls every method. librdkafka's delivery-report
// and error callbacks run on that thread too, inside poll() and flush().
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"
#include "producer_stats.h"

namespace hc::producer {

class Publisher {
 public:
  // Throws std::runtime_error naming the problem if the producer cannot be created (a
  // property librdkafka rejects). Does not wait for brokers: an unreachable cluster shows
  // up later as delivery failures. `stats` must outlive the publisher.
  Publisher(const KafkaSettings& kafka, std::size_t max_queued_messages, ProducerStats& stats);
  // Destroys the producer without waiting: call flush() first to deliver what is queued.
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Queues one message (librdkafka copies key and value). Returns false if it was dropped.
  bool publish(const std::string& topic, std::string_view key, std::string_view value);

  // Serves delivery reports and errors; recreates the producer after a fatal error.
  // Cheap when there is nothing to do: call it every loop turn.
  void poll();

  // Waits up to `timeout` for everything queued to be delivered. Returns how many messages
  // were still undelivered (also counted and logged).
  std::size_t flush(std::chrono::milliseconds timeout);

  // Messages handed to librdkafka whose delivery report has not arrived yet.
  std::size_t queue_depth() const;

  // For tests that inject faults (rd_kafka_test_fatal_error).
  rd_kafka_t* handle_for_testing() { return handle_.get(); }

 private:
  static void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* self);
  static void on_error(rd_kafka_t* handle, int error, const char* reason, void* self);
  void create_producer();
  void recreate_after_fatal_error();

  KafkaSettings kafka_;
  std::size_t max_queued_messages_;
  ProducerStats& stats_;
  KafkaHandle handle_;
  bool fatal_error_ = false;  // set by on_error, handled by poll(); same thread

  // Rate limits for the per-message warnings (one line per interval, with a count).
  struct RateLimit {
    std::chrono::steady_clock::time_point last_logged{};
    std::uint64_t suppressed = 0;
    bool allow();  // true when a line may be written now
  };
  RateLimit drop_log_;
  RateLimit delivery_log_;
  RateLimit error_log_;
};

}  // namespace hc::producer
