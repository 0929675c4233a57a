#include "publisher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>
#include <utility>

#include "hc/common/logging.h"
#include "hc/common/url_redaction.h"

namespace hc::producer {
namespace {
constexpr auto kLogEvery = std::chrono::seconds(10);
}  // namespace

std::optional<std::uint64_t> Publisher::RateLimit::allow() {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (now - last_logged_ < kLogEvery) {
    ++suppressed_;
    return std::nullopt;
  }
  last_logged_ = now;
  return std::exchange(suppressed_, 0);
}

Publisher::Publisher(const KafkaSettings& kafka, std::size_t max_queued_messages,
                     ProducerStats& stats)
    : kafka_(kafka), max_queued_messages_(max_queued_messages), stats_(stats) {
  create_producer();
}

Publisher::~Publisher() = default;

void Publisher::create_producer() {
  std::vector<std::pair<std::string, std::string>> properties = {
      {"client.id", "hc-producer"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // Batch for a few ms: thousands of small messages per second become a few requests.
      {"linger.ms", "10"},
      {"queue.buffering.max.messages", std::to_string(max_queued_messages_)},
  };
  KafkaConf conf;
  try {
    auto with_lz4 = properties;
    with_lz4.emplace_back("compression.codec", "lz4");
    conf = make_kafka_conf(kafka_, with_lz4);
  } catch (const std::invalid_argument&) {
    conf = make_kafka_conf(kafka_, properties);  // librdkafka built without lz4
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Publisher::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Publisher::on_error);
  handle_ = make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the Kafka producer");
}

bool Publisher::publish(const std::string& topic, std::string_view key, std::string_view value) {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  {
    std::shared_lock lock(handle_mutex_);
    error = rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                              RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  }
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    stats_.published.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    // Waiting here would stall the checks: the measurement is dropped instead.
    stats_.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
    if (const auto suppressed = drop_log_.allow()) {
      spdlog::warn(
          "Kafka queue full ({} messages): dropped measurement of {} for topic {} "
          "(+{} more drops since the last warning); brokers unreachable or too slow",
          max_queued_messages_, redact_url(key, redact_query_params_), topic, *suppressed);
    }
    return false;
  }
  stats_.publish_errors.fetch_add(1, std::memory_order_relaxed);
  if (const auto suppressed = error_log_.allow()) {
    log_event(spdlog::level::err,
              fmt::format("cannot publish measurement: {} (+{} more since)",
                          rd_kafka_err2str(error), *suppressed),
              {{"url", redact_url(key, redact_query_params_)}, {"topic", topic}});
  }
  return false;
}

void Publisher::poll(std::chrono::milliseconds timeout) {
  // handle_ only changes on this thread (below), so no lock is needed to read it here.
  rd_kafka_poll(handle_.get(), static_cast<int>(timeout.count()));
  if (fatal_error_) recreate_after_fatal_error();
}

void Publisher::recreate_after_fatal_error() {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t error =
      rd_kafka_fatal_error(handle_.get(), reason.data(), reason.size());
  const std::size_t queued = queue_depth();
  spdlog::error(
      "Kafka producer hit a fatal error ({}: {}); recreating it; {} queued messages are lost",
      rd_kafka_err2name(error), reason.data(), queued);
  std::unique_lock lock(handle_mutex_);
  // Their delivery reports (purged) are served here and counted as delivery failures.
  rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(handle_.get(), 500);
  // Reports that did not come back before the handle goes are failures all the same.
  stats_.delivery_failures.fetch_add(queue_depth(), std::memory_order_relaxed);
  handle_.reset();
  fatal_error_ = false;
  create_producer();
  stats_.producer_recreations.fetch_add(1, std::memory_order_relaxed);
}

std::size_t Publisher::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count()));
  const std::size_t undelivered = queue_depth();
  if (undelivered > 0) {
    stats_.undelivered_at_shutdown.fetch_add(undelivered, std::memory_order_relaxed);
    spdlog::error("{} messages were not delivered to Kafka within {} ms and are lost", undelivered,
                  timeout.count());
  }
  return undelivered;
}

std::size_t Publisher::queue_depth() const {
  // From our own counters rather than rd_kafka_outq_len(), which also counts protocol
  // requests and undelivered events.
  const std::uint64_t settled = stats_.delivered.load(std::memory_order_relaxed) +
                                stats_.delivery_failures.load(std::memory_order_relaxed);
  const std::uint64_t published = stats_.published.load(std::memory_order_relaxed);
  return published > settled ? static_cast<std::size_t>(published - settled) : 0;
}

void Publisher::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* self) {
  auto& publisher = *static_cast<Publisher*>(self);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    publisher.stats_.delivered.fetch_add(1, std::memory_order_relaxed);
    publisher.stats_.kafka_reachable.store(true, std::memory_order_relaxed);
    return;
  }
  publisher.stats_.delivery_failures.fetch_add(1, std::memory_order_relaxed);
  if (const auto suppressed = publisher.delivery_log_.allow()) {
    std::string_view url(static_cast<const char*>(message->key), message->key_len);
    log_event(spdlog::level::err,
              fmt::format("measurement not delivered: {} (+{} more failures since)",
                          rd_kafka_err2str(message->err), *suppressed),
              {{"url", redact_url(url, publisher.redact_query_params_)},
               {"topic", rd_kafka_topic_name(message->rkt)}});
  }
}

void Publisher::on_error(rd_kafka_t*, int error, const char* reason, void* self) {
  auto& publisher = *static_cast<Publisher*>(self);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    publisher.fatal_error_ = true;  // handled in poll(), outside librdkafka's callback
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    publisher.stats_.kafka_reachable.store(false, std::memory_order_relaxed);
  }
  // Transient (broker down, connection refused...): librdkafka retries on its own.
  if (const auto suppressed = publisher.error_log_.allow()) {
    spdlog::warn("Kafka: {}: {} (+{} more since); retrying", rd_kafka_err2name(code), reason,
                 *suppressed);
  }
}

}  // namespace hc::producer
