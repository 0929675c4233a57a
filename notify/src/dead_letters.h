// Deliveries that ran out of retries (or were refused) go to the dead-letter topic, so none is
// lost silently: the record is the event as read (key = URL) with headers
//   hc-dlq-reason: notify_failed        hc-dlq-detail: the last error ("HTTP 500", ...)
//   hc-notify-channel, hc-notify-attempts, hc-notify-event-id,
//   hc-source-topic, hc-source-partition, hc-source-offset
//
// Threads: publish() from any channel thread at once; each waits for its own delivery
// report (served by whichever thread polls).
#pragma once

#include <chrono>
#include <string>

#include "hc/common/kafka_handles.h"
#include "hc/common/notify_config.h"
#include "notification.h"

namespace hc::notify {

class DeadLetters {
 public:
  // Throws std::runtime_error if the producer cannot be created.
  DeadLetters(const KafkaSettings& settings, std::string topic);
  ~DeadLetters();
  DeadLetters(const DeadLetters&) = delete;
  DeadLetters& operator=(const DeadLetters&) = delete;

  const std::string& topic() const { return topic_; }

  // Returns "" once the broker acknowledged the letter, else why not (refused, or no
  // acknowledgement within `timeout`; the caller tries again: a letter may then be written
  // twice, never lost).
  std::string publish(const Notification& notification, const std::string& channel,
                      const std::string& error, int attempts, std::chrono::milliseconds timeout);

 private:
  static void on_delivery(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);

  std::string topic_;
  KafkaHandle producer_;
};

}  // namespace hc::notify
