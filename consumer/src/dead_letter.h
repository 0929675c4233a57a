// Sends poison messages to their dead-letter topic, so one bad message never blocks a
// partition and none is lost.
//
// Used from the consumer loop thread only: delivery reports are served by flush() on
// that thread, so no state here is shared with librdkafka's threads.
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

namespace hc::consumer {

class DeadLetterProducer final : public DeadLetterSink {
 public:
  DeadLetterProducer(const KafkaSettings& settings, ConsumerStats& stats);
  DeadLetterProducer(const DeadLetterProducer&) = delete;
  DeadLetterProducer& operator=(const DeadLetterProducer&) = delete;

  // Queues the letter for letter.topic with headers hc-dlq-reason, hc-dlq-detail,
  // hc-source-topic, hc-source-partition, hc-source-offset and the letter's extra headers.
  // Logs the first message of each reason kind at warn, then only counts.
  void send(DeadLetter letter) override;

  // Waits until every message sent so far is acknowledged by the broker, re-sending
  // failed ones. True when nothing is pending; false at the timeout. The source offsets
  // of the poison messages may be committed only after this returned true.
  bool flush(std::chrono::milliseconds timeout) override;
  std::size_t pending() const override { return pending_.size(); }

 private:
  struct Letter {
    std::string topic;
    std::string key;
    std::string value;
    std::vector<std::pair<std::string, std::string>> headers;
    bool failed = false;  // delivery failed or produce refused: send again at flush()
  };
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque);
  void produce(std::uint64_t id, Letter& letter);

  ConsumerStats& stats_;
  std::map<std::uint64_t, Letter> pending_;  // until the broker acknowledged it
  std::uint64_t next_id_ = 1;
  std::set<std::string> reasons_logged_;
  std::string last_error_;
  // Last, so it is destroyed first: delivery reports touch the members above.
  KafkaHandle producer_;
};

}  // namespace hc::consumer
