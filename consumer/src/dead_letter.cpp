#include "dead_letter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

#include "hc/common/logging.h"

namespace hc::consumer {

DeadLetterProducer::DeadLetterProducer(const KafkaSettings& settings, ConsumerStats& stats)
    : stats_(stats) {
  KafkaConf conf = make_kafka_conf(settings, {{"enable.idempotence", "true"},
                                              {"acks", "all"},
                                              {"linger.ms", "5"},
                                              {"log.connection.close", "false"}});
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &DeadLetterProducer::on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), this);
  std::array<char, 512> error{};
  producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
  if (!producer_) {
    throw std::runtime_error(
        fmt::format("cannot create the dead-letter producer: {}", error.data()));
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
}

void DeadLetterProducer::send(DeadLetter dead_letter) {
  Letter letter;
  letter.topic = std::move(dead_letter.topic);
  letter.key = std::move(dead_letter.key);
  letter.value = std::move(dead_letter.value);
  letter.headers = {{"hc-dlq-reason", dead_letter.reason},
                    {"hc-dlq-detail", dead_letter.detail},
                    {"hc-source-topic", dead_letter.source_topic},
                    {"hc-source-partition", std::to_string(dead_letter.source_partition)},
                    {"hc-source-offset", std::to_string(dead_letter.source_offset)}};
  for (auto& header : dead_letter.extra_headers) letter.headers.push_back(std::move(header));
  stats_.dead_letters(dead_letter.reason).fetch_add(1, std::memory_order_relaxed);
  if (reasons_logged_.insert(dead_letter.reason).second) {
    log_event(spdlog::level::warn,
              fmt::format("poison message ({}): sent to the dead-letter topic; further '{}' "
                          "messages are only counted",
                          dead_letter.detail, dead_letter.reason),
              {{"reason", dead_letter.reason},
               {"topic", dead_letter.source_topic},
               {"partition", std::to_string(dead_letter.source_partition)},
               {"offset", std::to_string(dead_letter.source_offset)},
               {"dead_letter_topic", letter.topic}});
  }
  std::uint64_t id = next_id_++;
  produce(id, pending_.emplace(id, std::move(letter)).first->second);
}

void DeadLetterProducer::produce(std::uint64_t id, Letter& letter) {
  KafkaHeaders headers(rd_kafka_headers_new(letter.headers.size()));
  for (const auto& [name, value] : letter.headers) {
    rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  // The letter outlives the send (kept in pending_ until acknowledged), so librdkafka
  // may copy or reference; RD_KAFKA_MSG_F_COPY keeps it simple.
  rd_kafka_resp_err_t error = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(letter.topic.c_str()),
      RD_KAFKA_V_KEY(letter.key.data(), letter.key.size()),
      RD_KAFKA_V_VALUE(letter.value.data(), letter.value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
      // The opaque carries the letter id, not an address.
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
          static_cast<std::uintptr_t>(id))),
      RD_KAFKA_V_END);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    static_cast<void>(headers.release());  // owned by the message now
    letter.failed = false;
  } else {
    letter.failed = true;
    last_error_ = rd_kafka_err2str(error);
  }
}

void DeadLetterProducer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto& self = *static_cast<DeadLetterProducer*>(opaque);
  auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message->_private));
  auto it = self.pending_.find(id);
  if (it == self.pending_.end()) return;
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self.pending_.erase(it);
    self.stats_.dead_letters_delivered.fetch_add(1, std::memory_order_relaxed);
  } else {
    it->second.failed = true;
    self.last_error_ = rd_kafka_err2str(message->err);
    self.stats_.dead_letter_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

bool DeadLetterProducer::flush(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pending_.empty()) {
    for (auto& [id, letter] : pending_) {
      if (letter.failed) produce(id, letter);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    rd_kafka_flush(producer_.get(), static_cast<int>(std::min<long long>(left.count(), 1000)));
  }
  if (!pending_.empty()) {
    spdlog::warn(
        "{} dead letters not yet acknowledged (last error: {}); their source offsets "
        "stay uncommitted",
        pending_.size(), last_error_.empty() ? "none" : last_error_);
  }
  return pending_.empty();
}

}  // namespace hc::consumer
