#include "dead_letters.h"

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace hc::notify {
namespace {

// Written by the delivery callback, read by the publishing thread; shared, so a report that
// comes after the publisher gave up finds it still alive.
struct DeliveryState {
  std::atomic<bool> done{false};
  std::atomic<rd_kafka_resp_err_t> error{RD_KAFKA_RESP_ERR_NO_ERROR};
};

}  // namespace

DeadLetters::DeadLetters(const KafkaSettings& settings, std::string topic)
    : topic_(std::move(topic)) {
  KafkaConf conf = make_kafka_conf(settings, {{"enable.idempotence", "true"},
                                              {"acks", "all"},
                                              {"linger.ms", "5"},
                                              {"message.timeout.ms", "30000"}});
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &DeadLetters::on_delivery);
  producer_ = make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the dead-letter producer");
}

DeadLetters::~DeadLetters() {
  // Letters not yet acknowledged were never reported as published: their deliveries stay
  // owed and their offsets uncommitted.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(producer_.get(), 0);
}

void DeadLetters::on_delivery(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message,
                              void* /*opaque*/) {
  // The reference the message held, released here.
  const std::unique_ptr<std::shared_ptr<DeliveryState>> state(
      static_cast<std::shared_ptr<DeliveryState>*>(message->_private));
  if (state == nullptr) return;
  (*state)->error.store(message->err);
  (*state)->done.store(true, std::memory_order_release);
}

std::string DeadLetters::publish(const Notification& notification, const std::string& channel,
                                 const std::string& error, int attempts,
                                 std::chrono::milliseconds timeout) {
  const std::vector<std::pair<std::string, std::string>> header_values = {
      {"hc-dlq-reason", "notify_failed"},
      {"hc-dlq-detail", error.substr(0, 4096)},
      {"hc-notify-channel", channel},
      {"hc-notify-attempts", std::to_string(attempts)},
      {"hc-notify-event-id", notification.event_id},
      {"hc-source-topic", notification.topic},
      {"hc-source-partition", std::to_string(notification.partition)},
      {"hc-source-offset", std::to_string(notification.offset)}};
  KafkaHeaders headers(rd_kafka_headers_new(header_values.size()));
  for (const auto& [name, value] : header_values) {
    rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  auto state = std::make_shared<DeliveryState>();
  // Held by the message from a successful produce on, and released by on_delivery.
  auto reference = std::make_unique<std::shared_ptr<DeliveryState>>(state);
  const rd_kafka_resp_err_t produced = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
      RD_KAFKA_V_KEY(notification.event.url.data(), notification.event.url.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(notification.event_json.data()),
                       notification.event_json.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
      RD_KAFKA_V_OPAQUE(reference.get()), RD_KAFKA_V_END);
  if (produced != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::string("cannot queue the dead letter: ") + rd_kafka_err2str(produced);
  }
  static_cast<void>(headers.release());    // owned by the message now
  static_cast<void>(reference.release());  // on_delivery deletes it
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!state->done.load(std::memory_order_acquire)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return "no acknowledgement from the broker for the dead letter within " +
             std::to_string(timeout.count()) + " ms";
    }
    rd_kafka_poll(producer_.get(), 50);
  }
  if (state->error.load() != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::string("dead letter refused: ") + rd_kafka_err2str(state->error.load());
  }
  return "";
}

}  // namespace hc::notify
