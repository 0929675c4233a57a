#include "recreatable_producer.h"

#include <array>
#include <mutex>
#include <utility>

namespace hc::producer {

RecreatableProducer::RecreatableProducer(std::function<KafkaHandle()> make)
    : make_(std::move(make)), handle_(make_()) {}

rd_kafka_resp_err_t RecreatableProducer::produce(const std::string& topic, std::string_view key,
                                                 std::string_view value, void* opaque) {
  std::shared_lock lock(handle_mutex_);
  return rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                           RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                           RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
                           RD_KAFKA_V_END);
}

void RecreatableProducer::poll(std::chrono::milliseconds timeout) {
  // handle_ only changes on this thread (replace()), so no lock is needed to read it here.
  rd_kafka_poll(handle_.get(), static_cast<int>(timeout.count()));
}

void RecreatableProducer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count()));
}

std::string RecreatableProducer::replace(const std::function<void()>& before_replace) {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t error =
      rd_kafka_fatal_error(handle_.get(), reason.data(), reason.size());
  std::unique_lock lock(handle_mutex_);
  rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(handle_.get(), 500);
  before_replace();
  handle_.reset();
  fatal_error_ = false;
  handle_ = make_();
  return std::string(rd_kafka_err2name(error)) + ": " + reason.data();
}

}  // namespace hc::producer
