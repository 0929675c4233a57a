// Publishes messages to Kafka through an idempotent librdkafka producer (acks=all).
//
// Never blocks the caller on Kafka: messages queue inside librdkafka up to
// max_queued_messages; beyond that they are dropped, counted and logged (rate-limited).
// Delivery failures are logged with topic and URL and counted. A fatal error (e.g. an
// idempotence sequence gap after a broker lost data) leaves librdkafka's producer unusable;
// the publisher then drops the old producer and creates a new one on the next poll().
//
// Threads: publish() may be called from several threads at once (the check loops); every
// other method from one thread (the producer's coordinator), on which librdkafka's
// delivery-report and error callbacks run too, inside poll() and flush(). A recreation
// after a fatal error holds publish() off until the new producer is in place.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/mutex.h"
#include "producer_stats.h"
#include "recreatable_producer.h"
#include "sinks.h"

namespace hc::producer {

class Publisher final : public MeasurementSink {
 public:
  // Throws std::runtime_error naming the problem if the producer cannot be created (a
  // property librdkafka rejects). Does not wait for brokers: an unreachable cluster shows
  // up later as delivery failures. `stats` must outlive the publisher.
  Publisher(const KafkaSettings& kafka, std::size_t max_queued_messages, ProducerStats& stats);
  // Destroys the producer without waiting: call flush() first to deliver what is queued.
  ~Publisher() override;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Queues one message (librdkafka copies key and value). Returns false if it was dropped.
  // Messages of one key keep their order when that key is always published by one thread.
  bool publish(const std::string& topic, std::string_view key, std::string_view value) override;

  // Serves delivery reports and errors, waiting up to `timeout` for the first one;
  // recreates the producer after a fatal error.
  void poll(std::chrono::milliseconds timeout = std::chrono::milliseconds::zero()) override;

  // Waits up to `timeout` for everything queued to be delivered. Returns how many messages
  // were still undelivered (also counted and logged).
  std::size_t flush(std::chrono::milliseconds timeout) override;

  // Messages handed to librdkafka whose delivery report has not arrived yet.
  std::size_t queue_depth() const override;

  // URLs (message keys) in log lines are shown with these query parameters redacted
  // (hc/common/url_redaction.h). REQUIRES: called before publish() runs on other threads.
  void redact_query_params_in_logs(std::vector<std::string> params) {
    redact_query_params_ = std::move(params);
  }

  // For tests that inject faults (rd_kafka_test_fatal_error).
  rd_kafka_t* handle_for_testing() { return producer_.handle_for_testing(); }

 private:
  static void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* self);
  static void on_error(rd_kafka_t* handle, int error, const char* reason, void* self);
  KafkaHandle create_producer();

  KafkaSettings kafka_;
  std::size_t max_queued_messages_;
  std::vector<std::string> redact_query_params_;
  ProducerStats& stats_;
  RecreatableProducer producer_;  // after the members create_producer() reads

  // Rate limits for the per-message warnings (one line per interval, with a count).
  // Thread-safe: publish() on the loop threads and the callbacks share error_log_.
  class RateLimit {
   public:
    // Returns how many lines were suppressed since the last one (and resets that count)
    // when a line may be written now; nullopt when this one is suppressed.
    std::optional<std::uint64_t> allow();

   private:
    Mutex mutex_;
    std::chrono::steady_clock::time_point last_logged_ GUARDED_BY(mutex_){};
    std::uint64_t suppressed_ GUARDED_BY(mutex_) = 0;
  };
  RateLimit drop_log_;
  RateLimit delivery_log_;
  RateLimit error_log_;
};

}  // namespace hc::producer
