#include "publisher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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
  MutexLock lock(mutex_);
  if (now - last_logged_ < kLogEvery) {
    ++suppressed_;
    return std::nullopt;
  }
  last_logged_ = now;
  return std::exchange(suppressed_, 0);
}

Publisher::Publisher(const KafkaSettings& kafka, std::size_t max_queued_messages,
                     ProducerStats& stats)
    : kafka_(kafka),
      max_queued_messages_(max_queued_messages),
      stats_(stats),
      producer_([this] { return create_producer(); }) {}

Publisher::~Publisher() = default;

KafkaHandle Publisher::create_producer() {
  std::vector<std::pair<std::string, std::string>> properties = {
      {"client.id", "hc-producer"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // Batch for 100 ms: a batch per partition and a delivery report per batch cost the
      // producer's threads a fixed amount of CPU each (librdkafka's broker thread, our poll
      // thread woken per report), so larger batches cost less per message (bench/producer:
      // 10 ms cost ~2.5 us more per check). A measurement waits at most that long more to
      // reach Kafka, well within a site's interval.
      {"linger.ms", "100"},
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
  return make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the Kafka producer");
}

bool Publisher::publish(const std::string& topic, std::string_view key, std::string_view value) {
  const rd_kafka_resp_err_t error = producer_.produce(topic, key, value);
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
  producer_.poll_and_recover(
      timeout, {stats_.delivery_failures, stats_.producer_recreations,
                [this] { return queue_depth(); }, "Kafka producer", "queued messages were lost"});
}

std::size_t Publisher::flush(std::chrono::milliseconds timeout) {
  producer_.flush(timeout);
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
    publisher.stats_.kafka_settings.clear();
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
  if (publisher.producer_.take_if_fatal(error)) return;  // handled in poll()
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    publisher.stats_.kafka_reachable.store(false, std::memory_order_relaxed);
  }
  // Transient (broker down, connection refused...): librdkafka retries on its own. A refused
  // password or an untrusted certificate is retried too, but the log says which setting.
  if (std::string line = publisher.stats_.kafka_settings.note(code, reason); !line.empty()) {
    if (const auto suppressed = publisher.error_log_.allow()) {
      spdlog::error("{} (healthcheck-producer-config; +{} more Kafka errors since); retrying", line,
                    *suppressed);
    }
    return;
  }
  if (const auto suppressed = publisher.error_log_.allow()) {
    spdlog::warn("Kafka: {}: {} (+{} more since); retrying", rd_kafka_err2name(code), reason,
                 *suppressed);
  }
}

}  // namespace hc::producer
