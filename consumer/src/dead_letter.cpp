#include "dead_letter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

#include "hc/common/logging.h"
#include "hc/common/message_size_limit.h"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;

// A failed letter waits this long before it is sent again: a refused topic answers at
// once, and re-sending in a tight loop would only spin.
constexpr milliseconds kResendDelay{1'000};
// While a topic is known missing or refused, it is asked about again this often.
constexpr std::chrono::seconds kTopicRecheck{30};
constexpr milliseconds kTopicRecheckTimeout{1'000};
// The same client error is logged at most this often.
constexpr std::chrono::seconds kClientErrorLogInterval{60};
// A topic's limit is asked for within this long (each of the two requests).
constexpr milliseconds kLimitTimeout{2'000};

// From the broker (the topic's max.message.bytes) and from librdkafka alike (its own
// message.max.bytes): the same code.
bool is_too_large(rd_kafka_resp_err_t error) {
  return error == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
}

bool is_truncated(const LetterParts& parts) {
  return std::any_of(parts.headers.begin(), parts.headers.end(),
                     [](const auto& header) { return header.first == "hc-dlq-truncated"; });
}

std::string header_of(const LetterParts& parts, std::string_view name) {
  for (const auto& [header, value] : parts.headers) {
    if (header == name) return value;
  }
  return "";
}

std::string cut(std::string text, std::size_t max_bytes) {
  if (text.size() > max_bytes) text.resize(max_bytes);
  return text;
}

}  // namespace

DeadLetter make_dead_letter(const std::string& topic, const rd_kafka_message_t& source,
                            const Poison& poison) {
  DeadLetter letter;
  letter.topic = topic;
  if (source.key != nullptr)
    letter.key.assign(static_cast<const char*>(source.key), source.key_len);
  if (source.payload != nullptr) {
    letter.value.assign(static_cast<const char*>(source.payload), source.len);
  }
  letter.reason = poison.reason;
  letter.detail = poison.detail;
  letter.source_topic = rd_kafka_topic_name(source.rkt);
  letter.source_partition = source.partition;
  letter.source_offset = source.offset;
  return letter;
}

DeadLetterProducer::DeadLetterProducer(const KafkaSettings& settings, ConsumerStats& stats)
    : stats_(stats) {
  KafkaConf conf = make_kafka_conf(
      settings, {{"enable.idempotence", "true"},
                 {"acks", "all"},
                 {"linger.ms", "5"},
                 {"message.max.bytes", std::to_string(kMaxLetterBytes)},
                 // One letter per record batch: the topic's limit then applies to each alone.
                 {"batch.num.messages", "1"},
                 // A letter that cannot be delivered is reported within 30 s (default 300 s)
                 // and sent again by flush(): the failure shows instead of hiding in a retry.
                 {"message.timeout.ms", "30000"},
                 {"log.connection.close", "false"}});
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &DeadLetterProducer::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &DeadLetterProducer::on_error);
  rd_kafka_conf_set_opaque(conf.get(), this);
  producer_ = make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the dead-letter producer");
}

DeadLetterProducer::~DeadLetterProducer() { abandon(); }

void DeadLetterProducer::send(DeadLetter dead_letter) {
  Letter letter;
  letter.topic = std::move(dead_letter.topic);
  letter.parts.headers = {{"hc-dlq-reason", dead_letter.reason},
                          {"hc-dlq-detail", cut(dead_letter.detail, kMaxHeaderValueBytes)},
                          {"hc-source-topic", dead_letter.source_topic},
                          {"hc-source-partition", std::to_string(dead_letter.source_partition)},
                          {"hc-source-offset", std::to_string(dead_letter.source_offset)}};
  for (auto& [name, value] : dead_letter.extra_headers) {
    letter.parts.headers.emplace_back(std::move(name), cut(std::move(value), kMaxHeaderValueBytes));
  }
  letter.parts.key = std::move(dead_letter.key);
  letter.parts.value = std::move(dead_letter.value);

  stats_.dead_letters(dead_letter.reason).fetch_add(1, std::memory_order_relaxed);
  if (reasons_logged_.insert(dead_letter.reason).second) {
    log_event(spdlog::level::warn,
              fmt::format("record cannot be stored ({}): sent to the dead-letter topic; further "
                          "'{}' records are only counted",
                          cut(dead_letter.detail, 300), dead_letter.reason),
              {{"reason", dead_letter.reason},
               {"topic", dead_letter.source_topic},
               {"partition", std::to_string(dead_letter.source_partition)},
               {"offset", std::to_string(dead_letter.source_offset)},
               {"dead_letter_topic", letter.topic}});
  }
  if (!fit(letter)) return;
  std::uint64_t id = next_id_++;
  produce(id, pending_.emplace(id, std::move(letter)).first->second);
  publish_state();
}

std::size_t DeadLetterProducer::limit_of(const std::string& topic) const {
  const auto known = topic_limits_.find(topic);
  return known == topic_limits_.end() ? kMaxLetterBytes : known->second;
}

bool DeadLetterProducer::fit(Letter& letter) {
  const bool was_truncated = is_truncated(letter.parts);
  if (!fit_letter(letter.parts, limit_of(letter.topic), kTruncatedValueBytes, kMaxKeyBytes)) {
    spdlog::error(
        "dead-letter topic {} takes at most {} bytes, less than a letter with nothing left to "
        "cut: the letter for {} [{}] offset {} ({}) is dropped; the record stays in its source "
        "topic",
        letter.topic, limit_of(letter.topic), header_of(letter.parts, "hc-source-topic"),
        header_of(letter.parts, "hc-source-partition"), header_of(letter.parts, "hc-source-offset"),
        header_of(letter.parts, "hc-dlq-reason"));
    stats_.dead_letters_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!was_truncated && is_truncated(letter.parts)) {
    stats_.dead_letters_truncated.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

bool DeadLetterProducer::refit_too_large(Letter& letter) {
  const std::size_t refused = letter_wire_bytes(letter.parts);
  const std::size_t limit = std::min(limit_of(letter.topic), refused / 2);
  spdlog::warn(
      "dead-letter topic {} refused a letter of {} bytes as too large: letters to it are cut to "
      "{} bytes from now on (raise the topic's max.message.bytes, or let this client describe "
      "its configs, to keep more)",
      letter.topic, refused, limit);
  topic_limits_[letter.topic] = limit;
  if (!fit(letter)) return false;
  letter.failed = true;
  letter.retry_at = Clock::now();  // at once: not a failure of the broker
  return true;
}

void DeadLetterProducer::produce(std::uint64_t id, Letter& letter) {
  KafkaHeaders headers(rd_kafka_headers_new(letter.parts.headers.size()));
  for (const auto& [name, value] : letter.parts.headers) {
    rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  // The letter outlives the send (kept in pending_ until acknowledged), so librdkafka
  // may copy or reference; RD_KAFKA_MSG_F_COPY keeps it simple.
  rd_kafka_resp_err_t error = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(letter.topic.c_str()),
      RD_KAFKA_V_KEY(letter.parts.key.data(), letter.parts.key.size()),
      RD_KAFKA_V_VALUE(letter.parts.value.data(), letter.parts.value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers.get()),
      // The opaque carries the letter id, not an address.
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
          static_cast<std::uintptr_t>(id))),
      RD_KAFKA_V_END);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    static_cast<void>(headers.release());  // owned by the message now
    letter.failed = false;
  } else if (is_too_large(error)) {
    if (!refit_too_large(letter)) pending_.erase(id);
  } else {
    letter.failed = true;
    letter.retry_at = Clock::now() + kResendDelay;
    record_failure(letter.topic, rd_kafka_err2str(error));
  }
}

void DeadLetterProducer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto& self = *static_cast<DeadLetterProducer*>(opaque);
  auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message->_private));
  auto it = self.pending_.find(id);
  if (it == self.pending_.end()) return;  // abandoned
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self.stats_.dead_letters_delivered.fetch_add(1, std::memory_order_relaxed);
    if (self.failures_in_a_row_ > 0 || self.topic_problems_.count(it->second.topic) > 0) {
      spdlog::info("dead-letter topic {}: letters are delivered again", it->second.topic);
    }
    self.failures_in_a_row_ = 0;
    self.topic_problems_.erase(it->second.topic);
    self.pending_.erase(it);
  } else if (is_too_large(message->err)) {
    if (!self.refit_too_large(it->second)) self.pending_.erase(it);
  } else {
    it->second.failed = true;
    it->second.retry_at = Clock::now() + kResendDelay;
    self.record_failure(it->second.topic, rd_kafka_err2str(message->err));
  }
  self.publish_state();
}

void DeadLetterProducer::on_error(rd_kafka_t* handle, int error, const char* reason, void* opaque) {
  auto& self = *static_cast<DeadLetterProducer*>(opaque);
  auto now = Clock::now();
  const bool fatal = error == RD_KAFKA_RESP_ERR__FATAL;
  std::string text = reason;
  if (fatal) {
    std::array<char, 512> fatal_reason{};
    rd_kafka_fatal_error(handle, fatal_reason.data(), fatal_reason.size());
    text = fmt::format("fatal: {}", fatal_reason.data());
    self.last_failure_ = "the producer failed: " + text;
    self.failures_in_a_row_ = std::max(self.failures_in_a_row_, kFailuresBeforeUnhealthy);
  }
  // Most client errors (a broker connection lost) repeat every few seconds while they last.
  if (fatal || text != self.last_client_error_ ||
      now - self.last_client_error_at_ >= kClientErrorLogInterval) {
    spdlog::log(fatal ? spdlog::level::err : spdlog::level::warn,
                "dead-letter producer: {}; letters stay pending and their source offsets "
                "uncommitted until delivered",
                text);
    self.last_client_error_ = std::move(text);
    self.last_client_error_at_ = now;
  }
}

void DeadLetterProducer::record_failure(const std::string& topic, std::string error) {
  stats_.dead_letter_failures.fetch_add(1, std::memory_order_relaxed);
  last_failure_ = fmt::format("topic {}: {}", topic, error);
  if (++failures_in_a_row_ == kFailuresBeforeUnhealthy) {
    spdlog::error(
        "dead letters cannot be delivered ({} failures in a row, last: {}); consumption of the "
        "affected batches waits, re-sending every {} s",
        failures_in_a_row_, last_failure_, kResendDelay.count() / 1000);
  }
}

void DeadLetterProducer::resend_due(Clock::time_point now) {
  // produce() may drop the letter it is given: step past it first.
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto current = it++;
    if (current->second.failed && now >= current->second.retry_at) {
      produce(current->first, current->second);
    }
  }
}

void DeadLetterProducer::poll() {
  rd_kafka_poll(producer_.get(), 0);  // delivery reports and errors, on this thread
  auto now = Clock::now();
  resend_due(now);
  if (!topic_problems_.empty() && now >= next_topic_check_) {
    next_topic_check_ = now + kTopicRecheck;
    std::vector<std::string> topics;
    for (const auto& [topic, problem] : topic_problems_) topics.push_back(topic);
    for (const auto& topic : topics) {
      if (topic_problem(topic, kTopicRecheckTimeout).empty()) {
        spdlog::info("dead-letter topic {} is available now", topic);
        topic_problems_.erase(topic);
      }
    }
  }
  publish_state();
}

bool DeadLetterProducer::flush(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!pending_.empty()) {
    auto now = Clock::now();
    resend_due(now);
    auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    if (left.count() <= 0) break;
    auto slice = std::min<milliseconds>(left, milliseconds(100));
    if (rd_kafka_outq_len(producer_.get()) > 0) {
      rd_kafka_flush(producer_.get(), static_cast<int>(slice.count()));
    } else {
      rd_kafka_poll(producer_.get(), static_cast<int>(slice.count()));  // all failed: wait
    }
  }
  publish_state();
  return pending_.empty();
}

void DeadLetterProducer::abandon() {
  if (!producer_) return;
  if (!pending_.empty()) {
    spdlog::warn(
        "dropping {} undelivered dead letters (last error: {}); their source offsets are not "
        "committed, so those records are read and sent again",
        pending_.size(), last_failure_.empty() ? "none" : last_failure_);
  }
  pending_.clear();
  // Purged messages get delivery reports with ERR__PURGE_*; served by nobody after this,
  // and on_delivery ignores ids it does not know anyway.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  publish_state();
}

void DeadLetterProducer::check_topics(const std::vector<std::string>& topics,
                                      milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (const auto& topic : topics) {
    auto left = std::max(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()),
                         milliseconds(100));
    std::string problem = topic_problem(topic, left);
    if (problem.empty()) {
      if (auto limit = max_message_bytes(producer_.get(), topic, kLimitTimeout)) {
        topic_limits_[topic] = std::min(*limit, kMaxLetterBytes);
        spdlog::debug("dead-letter topic {}: letters of at most {} bytes", topic,
                      topic_limits_[topic]);
      }
      continue;
    }
    spdlog::error(
        "dead-letter topic {}: {}; records that cannot be stored wait (their partitions pause "
        "and their offsets stay uncommitted) until it can be written to",
        topic, problem);
    topic_problems_[topic] = std::move(problem);
  }
  next_topic_check_ = Clock::now() + kTopicRecheck;
  publish_state();
}

std::string DeadLetterProducer::topic_problem(const std::string& topic, milliseconds timeout) {
  KafkaTopic handle(rd_kafka_topic_new(producer_.get(), topic.c_str(), nullptr));
  if (!handle) return fmt::format("invalid topic: {}", rd_kafka_err2str(rd_kafka_last_error()));
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t error =
      rd_kafka_metadata(producer_.get(), 0, handle.get(), &raw, static_cast<int>(timeout.count()));
  KafkaMetadata metadata(raw);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("dead-letter topic {}: cannot ask the brokers about it: {}", topic,
                 rd_kafka_err2str(error));
    return {};
  }
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& entry = metadata->topics[i];
    if (topic != entry.topic) continue;
    switch (entry.err) {
      case RD_KAFKA_RESP_ERR_NO_ERROR:
      case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:  // being created
        return {};
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        return "does not exist and the brokers do not create it (create it, e.g. with "
               "`hc topics create`)";
      case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        return "not authorized (grant this client Write on it)";
      default:
        return rd_kafka_err2str(entry.err);
    }
  }
  return "not in the brokers' metadata";
}

void DeadLetterProducer::publish_state() {
  stats_.dead_letters_pending.store(pending_.size(), std::memory_order_relaxed);
  std::string problem;
  if (!topic_problems_.empty()) {
    const auto& [topic, what] = *topic_problems_.begin();
    problem = fmt::format("dead-letter topic {}: {}", topic, what);
  } else if (failures_in_a_row_ >= kFailuresBeforeUnhealthy && !pending_.empty()) {
    problem = fmt::format("dead letters undelivered after {} attempts ({} pending): {}",
                          failures_in_a_row_, pending_.size(), last_failure_);
  }
  stats_.set_dead_letter_problem(std::move(problem));
}

}  // namespace hc::consumer
