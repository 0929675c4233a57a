#include "event_publisher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>

#include "hc/common/logging.h"
#include "hc/common/url_redaction.h"

namespace hc::producer {

std::uint64_t EventStats::delivered_total() const {
  std::uint64_t total = 0;
  for (const Counter& count : delivered) total += count.load(std::memory_order_relaxed);
  return total;
}

std::size_t EventStats::queue_depth() const {
  const std::uint64_t settled =
      delivered_total() + delivery_failures.load(std::memory_order_relaxed);
  const std::uint64_t published = queued.load(std::memory_order_relaxed);
  return published > settled ? static_cast<std::size_t>(published - settled) : 0;
}

EventPublisher::EventPublisher(const KafkaSettings& kafka, EventStats& stats)
    : kafka_(kafka), stats_(stats), producer_([this] { return create_producer(); }) {}

EventPublisher::~EventPublisher() = default;

KafkaHandle EventPublisher::create_producer() {
  KafkaConf conf = make_kafka_conf(
      kafka_, {{"client.id", "hc-events"},
               {"enable.idempotence", "true"},
               {"acks", "all"},
               {"linger.ms", "5"},
               {"queue.buffering.max.messages", std::to_string(kMaxQueuedEvents)},
               // No delivery timeout: an event waits for the brokers while the process runs.
               {"message.timeout.ms", "0"}});
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &EventPublisher::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &EventPublisher::on_error);
  return make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the Kafka events producer");
}

bool EventPublisher::publish(const std::string& topic, const StateEvent& event) {
  const std::string value = encode_state_event(event);
  // The delivery report counts the event in the counter of its `to`, the message's opaque.
  void* delivered_counter = &stats_.delivered.at(static_cast<std::size_t>(event.to));
  const rd_kafka_resp_err_t error = producer_.produce(topic, event.url, value, delivered_counter);
  const std::string url = redact_url(event.url, redact_query_params_);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    stats_.queued.fetch_add(1, std::memory_order_relaxed);
    log_event(spdlog::level::info,
              fmt::format("state change {} -> {}", status_name(event.from), status_name(event.to)),
              {{"url", url}, {"topic", topic}, {"at", format_timestamp(event.at)}});
    return true;
  }
  stats_.dropped.fetch_add(1, std::memory_order_relaxed);
  log_event(spdlog::level::err,
            fmt::format("state change {} -> {} LOST: cannot queue it: {}", status_name(event.from),
                        status_name(event.to), rd_kafka_err2str(error)),
            {{"url", url}, {"topic", topic}, {"at", format_timestamp(event.at)}});
  return false;
}

void EventPublisher::poll(std::chrono::milliseconds timeout) {
  producer_.poll_and_recover(timeout, {stats_.delivery_failures, stats_.producer_recreations,
                                       [this] { return stats_.queue_depth(); },
                                       "Kafka events producer", "queued state changes were LOST"});
}

std::size_t EventPublisher::flush(std::chrono::milliseconds timeout) {
  producer_.flush(timeout);
  const std::size_t undelivered = stats_.queue_depth();
  if (undelivered > 0) {
    stats_.delivery_failures.fetch_add(undelivered, std::memory_order_relaxed);
    spdlog::error("{} state changes were not delivered to Kafka within {} ms and are lost",
                  undelivered, timeout.count());
  }
  return undelivered;
}

void EventPublisher::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* self) {
  auto& publisher = *static_cast<EventPublisher*>(self);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    static_cast<EventStats::Counter*>(message->_private)->fetch_add(1, std::memory_order_relaxed);
    return;
  }
  publisher.stats_.delivery_failures.fetch_add(1, std::memory_order_relaxed);
  std::string_view url(static_cast<const char*>(message->key), message->key_len);
  log_event(spdlog::level::err,
            fmt::format("state change LOST: not delivered: {}", rd_kafka_err2str(message->err)),
            {{"url", redact_url(url, publisher.redact_query_params_)},
             {"topic", rd_kafka_topic_name(message->rkt)}});
}

void EventPublisher::on_error(rd_kafka_t*, int error, const char* reason, void* self) {
  auto& publisher = *static_cast<EventPublisher*>(self);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (publisher.producer_.take_if_fatal(error)) return;  // handled in poll()
  // Transient: librdkafka retries on its own, and the measurement producer logs the same
  // cluster's outages (rate-limited); this one stays quiet.
  spdlog::debug("Kafka events producer: {}: {}", rd_kafka_err2name(code), reason);
}

}  // namespace hc::producer
