// The Kafka DeadLetterSink: sends records that cannot be stored to their dead-letter topic,
// so one bad message never blocks a partition and none is lost.
//
// Threads: every method runs on the consumer loop thread; delivery reports and client
// errors are served inside poll() and flush() on that thread, so no member is shared with
// librdkafka's threads. The metrics thread sees this object only through ConsumerStats.
//
// Every letter fits its topic: check_topics() reads each dead-letter topic's limit
// (max.message.bytes, else the broker's message.max.bytes: message_size_limit.h), at most
// kMaxLetterBytes, the producer's own message.max.bytes; each letter is a record batch of its
// own (batch.num.messages 1). A letter over its topic's limit is cut (letter_fit.h): the first
// kTruncatedValueBytes of the original value at most (and of a key over kMaxKeyBytes), less
// when the limit is smaller, with headers hc-dlq-truncated: true and hc-dlq-original-bytes
// (hc-dlq-original-key-bytes); the original stays in its source topic at hc-source-topic /
// hc-source-partition / hc-source-offset. A letter the broker still refuses as too large
// halves what this producer assumes of the topic's limit and is cut again and re-sent at once;
// one that cannot fit even with nothing left to cut is dropped, logged with its source
// coordinates and counted (hc_dead_letters_dropped_total), so its partition moves on.
//
// Failure is visible: a refused or timed-out letter is re-sent (at most once a second)
// until delivered; after kFailuresBeforeUnhealthy failures in a row, or when check_topics()
// finds a topic missing or refused, ConsumerStats::dead_letter_problem() names the topic
// and the error (/healthz answers 503 with it) until a letter to that topic is delivered.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "consumer_stats.h"
#include "dead_letter_sink.h"
#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/message.h"
#include "letter_fit.h"

namespace hc::consumer {

// A letter for `topic` holding a copy of `source` (key, value, coordinates) and why it is
// poison.
DeadLetter make_dead_letter(const std::string& topic, const rd_kafka_message_t& source,
                            const Poison& poison);

class DeadLetterProducer final : public DeadLetterSink {
 public:
  // The producer's message.max.bytes: under the 1 MiB that brokers accept by default
  // (message.max.bytes / max.message.bytes 1048588).
  static constexpr std::size_t kMaxLetterBytes = 1'000'000;
  static constexpr std::size_t kTruncatedValueBytes = std::size_t{64} * 1024;
  static constexpr std::size_t kMaxKeyBytes = std::size_t{16} * 1024;
  static constexpr std::size_t kMaxHeaderValueBytes = std::size_t{4} * 1024;
  static constexpr int kFailuresBeforeUnhealthy = 3;

  // Throws std::runtime_error if the client cannot be created.
  DeadLetterProducer(const KafkaSettings& settings, ConsumerStats& stats);
  // Drops what is still pending without waiting (see abandon()).
  ~DeadLetterProducer() override;
  DeadLetterProducer(const DeadLetterProducer&) = delete;
  DeadLetterProducer& operator=(const DeadLetterProducer&) = delete;

  // Headers: hc-dlq-reason, hc-dlq-detail, hc-source-topic, hc-source-partition,
  // hc-source-offset, the letter's extra headers, and the truncation headers if cut.
  // Logs the first letter of each reason at warn, then only counts.
  void send(DeadLetter letter) override;
  // Serves delivery reports, re-sends failed letters, re-checks topics found missing.
  bool flush(std::chrono::milliseconds timeout) override;
  std::size_t pending() const override { return pending_.size(); }
  void poll() override;

  // Asks the broker for each topic's metadata within `timeout` in all (a producer's request:
  // a broker with auto.create.topics.enable creates a missing topic). Logs an error naming
  // each topic that is missing or refused and records it for /healthz; a broker that does
  // not answer is only logged (the consumer's own health shows Kafka being away).
  void check_topics(const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout) override;

  // Forgets every pending letter and purges librdkafka's queues, for a bounded shutdown:
  // their source offsets were not committed, so the messages are read and sent again.
  void abandon() override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Letter {
    std::string topic;
    LetterParts parts;
    bool failed = false;         // refused or not delivered: sent again at retry_at
    Clock::time_point retry_at;  // when failed
  };
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t*, int error, const char* reason, void* opaque);
  void produce(std::uint64_t id, Letter& letter);
  // What letters to `topic` may take: its known limit, else kMaxLetterBytes.
  std::size_t limit_of(const std::string& topic) const;
  // Cuts `letter` to its topic's limit; false (logged and counted as dropped) when it cannot
  // fit. Counts the letter as truncated when it is cut for the first time.
  bool fit(Letter& letter);
  // The broker refused `letter` as too large: lowers the topic's limit, cuts the letter and
  // marks it for sending again at once. False when the letter was dropped.
  bool refit_too_large(Letter& letter);
  void record_failure(const std::string& topic, std::string error);
  void resend_due(Clock::time_point now);
  // Empty when the topic is usable (or the broker did not answer: not our verdict).
  std::string topic_problem(const std::string& topic, std::chrono::milliseconds timeout);
  void publish_state();

  ConsumerStats& stats_;
  std::map<std::uint64_t, Letter> pending_;  // until the broker acknowledged it
  std::uint64_t next_id_ = 1;
  std::set<std::string> reasons_logged_;
  int failures_in_a_row_ = 0;
  std::string last_failure_;                           // "topic T: error"
  std::map<std::string, std::string> topic_problems_;  // topic -> what is wrong with it
  std::map<std::string, std::size_t> topic_limits_;    // topic -> bytes a letter may take
  Clock::time_point next_topic_check_{};
  std::string last_client_error_;  // rate-limits on_error's log lines
  Clock::time_point last_client_error_at_{};
  // Last, so it is destroyed first: delivery reports touch the members above.
  KafkaHandle producer_;
};

}  // namespace hc::consumer
