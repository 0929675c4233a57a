#include "recreatable_producer.h"

#include <spdlog/spdlog.h>

#include <array>
#include <utility>

namespace hc::producer {

RecreatableProducer::RecreatableProducer(std::function<KafkaHandle()> make)
    : make_(std::move(make)), handle_(make_()) {}

rd_kafka_resp_err_t RecreatableProducer::produce(const std::string& topic, std::string_view key,
                                                 std::string_view value, void* opaque) {
  ReaderLock lock(handle_mutex_);
  return rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                           RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                           RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
                           RD_KAFKA_V_END);
}

void RecreatableProducer::poll(std::chrono::milliseconds timeout) {
  ReaderLock lock(handle_mutex_);
  rd_kafka_poll(handle_.get(), static_cast<int>(timeout.count()));
}

void RecreatableProducer::flush(std::chrono::milliseconds timeout) {
  ReaderLock lock(handle_mutex_);
  rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count()));
}

void RecreatableProducer::poll_and_recover(std::chrono::milliseconds timeout,
                                           const Losses& losses) {
  poll(timeout);
  if (!has_fatal_error()) return;
  const std::size_t queued = losses.queue_depth();
  const std::string error = replace([&losses] {
    // Purged messages' reports count as delivery failures; those that never came back too.
    losses.delivery_failures.fetch_add(losses.queue_depth(), std::memory_order_relaxed);
  });
  losses.recreations.fetch_add(1, std::memory_order_relaxed);
  spdlog::error("{} hit a fatal error ({}); recreated it; {} {}", losses.producer_name, error,
                queued, losses.lost_what);
}

std::string RecreatableProducer::replace(const std::function<void()>& before_replace) {
  WriterLock lock(handle_mutex_);
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t error =
      rd_kafka_fatal_error(handle_.get(), reason.data(), reason.size());
  rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(handle_.get(), 500);
  before_replace();
  handle_.reset();
  fatal_error_ = false;
  handle_ = make_();
  return std::string(rd_kafka_err2name(error)) + ": " + reason.data();
}

}  // namespace hc::producer
