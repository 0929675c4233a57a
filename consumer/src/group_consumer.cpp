#include "group_consumer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace hc::consumer {

namespace {

// The first librdkafka with fetch.queue.backoff.ms (0xMMmmrrpp).
constexpr int kFetchQueueBackoffSince = 0x02020000;

}  // namespace

std::vector<std::pair<std::string, std::string>> prefetch_properties(const PrefetchLimits& limits,
                                                                     int librdkafka_version) {
  // The prefetch queue (for the whole consumer, not per partition) bounds our memory;
  // FetchNudger keeps it filling as the loop takes from it. One Fetch response may overshoot
  // the bound by fetch.max.bytes, which librdkafka then sets to the bound.
  std::vector<std::pair<std::string, std::string>> properties{
      {"queued.max.messages.kbytes", std::to_string(limits.queue_kbytes)}};
  if (limits.partition_fetch_bytes > 0) {
    properties.emplace_back("max.partition.fetch.bytes",
                            std::to_string(limits.partition_fetch_bytes));
  }
  if (librdkafka_version >= kFetchQueueBackoffSince) {
    properties.emplace_back("fetch.queue.backoff.ms", "20");
  }
  return properties;
}

GroupConsumer::GroupConsumer(const ConsumerConfig& config, const std::vector<std::string>& topics,
                             RebalanceListener& listener, PrefetchLimits limits)
    : listener_(listener), wake_target_(std::make_shared<WakeTarget>()) {
  std::vector<std::pair<std::string, std::string>> properties{
      {"group.id", config.group_id},
      {"enable.auto.commit", "false"},
      // We never store offsets implicitly: only offsets of written batches are committed.
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", config.auto_offset_reset},
      {"session.timeout.ms", std::to_string(config.session_timeout.count())},
      {"heartbeat.interval.ms",
       std::to_string(std::max<long long>(config.session_timeout.count() / 5, 100))},
      // Eager protocol: a rebalance revokes every partition at once, so "drop what is
      // not committed" (see ConsumerLoop::on_revoking) is a whole-batch decision and
      // never needs to split a batch by partition.
      {"partition.assignment.strategy", "range"},
      {"log.connection.close", "false"}};
  for (auto& property : prefetch_properties(limits, rd_kafka_version())) {
    properties.push_back(std::move(property));
  }
  KafkaConf conf = make_kafka_conf(config.kafka, properties);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &GroupConsumer::on_rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf.get(), &GroupConsumer::on_commit);
  rd_kafka_conf_set_error_cb(conf.get(), &GroupConsumer::on_client_error);
  rd_kafka_conf_set_opaque(conf.get(), this);
  handle_ = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf), "the Kafka consumer");
  // Errors, logs and rebalances all arrive through the consumer queue served by poll().
  rd_kafka_poll_set_consumer(handle_.get());
  queue_.reset(rd_kafka_queue_get_consumer(handle_.get()));
  wake_target_->queue = queue_.get();
  nudger_ = std::make_unique<FetchNudger>(handle_.get(), limits.nudge_every_bytes);

  KafkaPartitionList subscription(
      rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& topic : topics) {
    rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(handle_.get(), subscription.get())) {
    throw std::runtime_error(
        fmt::format("cannot subscribe to {}: {}", fmt::join(topics, ", "), rd_kafka_err2str(err)));
  }
}

GroupConsumer::~GroupConsumer() {
  {
    MutexLock lock(wake_target_->mutex);
    wake_target_->queue = nullptr;
  }
  close();
  queue_.reset();  // before handle_: a queue handle must not outlive its client
}

PolledBatch GroupConsumer::poll_batch(std::chrono::milliseconds timeout, std::size_t max_messages) {
  std::vector<rd_kafka_message_t*> raw(max_messages, nullptr);
  ssize_t count = rd_kafka_consume_batch_queue(queue_.get(), static_cast<int>(timeout.count()),
                                               raw.data(), raw.size());
  PolledBatch batch;
  const std::size_t received = count > 0 ? static_cast<std::size_t>(count) : 0;
  batch.messages.reserve(received);
  batch.records.reserve(received);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < received; ++i) {
    const rd_kafka_message_t& message = *batch.messages.emplace_back(raw[i]);
    bytes += message.key_len + message.len;
    PolledRecord& record = batch.records.emplace_back();
    record.error = message.err;
    if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      record.error_text = rd_kafka_message_errstr(&message);
    }
    if (message.rkt != nullptr) record.topic = rd_kafka_topic_name(message.rkt);
    record.partition = message.partition;
    record.offset = message.offset;
    record.key = message.key;
    record.key_bytes = message.key_len;
    record.value = message.payload;
    record.value_bytes = message.len;
  }
  nudger_->consumed(bytes);
  return batch;
}

KafkaPartitionList GroupConsumer::to_list(const std::vector<PartitionOffset>& offsets) {
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& offset : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), offset.topic.c_str(), offset.partition)->offset =
        offset.next_offset;
  }
  return list;
}

void GroupConsumer::commit_async(const std::vector<PartitionOffset>& offsets) {
  if (offsets.empty()) return;
  KafkaPartitionList list = to_list(offsets);
  rd_kafka_resp_err_t error = rd_kafka_commit(handle_.get(), list.get(), /*async=*/1);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && on_commit_failed_) on_commit_failed_(error);
}

void GroupConsumer::on_client_error(rd_kafka_t*, int error, const char* reason, void* opaque) {
  auto& self = *static_cast<GroupConsumer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (self.on_error_) {
    self.on_error_(code, reason != nullptr ? reason : "");
  } else {
    spdlog::warn("consumer: Kafka client error {}: {}", rd_kafka_err2name(code),
                 reason != nullptr ? reason : "");
  }
}

void GroupConsumer::on_commit(rd_kafka_t*, rd_kafka_resp_err_t error,
                              rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto& self = *static_cast<GroupConsumer*>(opaque);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR && offsets != nullptr) {
    for (int i = 0; i < offsets->cnt; ++i) {
      if (offsets->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = offsets->elems[i].err;
        break;
      }
    }
  }
  // _NO_OFFSET: nothing to commit (e.g. a sync commit of the same offsets came first).
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__NO_OFFSET &&
      self.on_commit_failed_) {
    self.on_commit_failed_(error);
  }
}

rd_kafka_resp_err_t GroupConsumer::commit(const std::vector<PartitionOffset>& offsets) {
  if (offsets.empty()) return RD_KAFKA_RESP_ERR_NO_ERROR;
  KafkaPartitionList list = to_list(offsets);
  rd_kafka_resp_err_t error = rd_kafka_commit(handle_.get(), list.get(), /*async=*/0);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return error;
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) return list->elems[i].err;
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

void GroupConsumer::set_paused(rd_kafka_topic_partition_list_t* partitions, bool paused) {
  if (partitions == nullptr || partitions->cnt == 0) return;
  rd_kafka_resp_err_t error = paused ? rd_kafka_pause_partitions(handle_.get(), partitions)
                                     : rd_kafka_resume_partitions(handle_.get(), partitions);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("cannot {} {} partitions: {}", paused ? "pause" : "resume", partitions->cnt,
                 rd_kafka_err2str(error));
  }
}

void GroupConsumer::pause() {
  paused_ = true;
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    KafkaPartitionList owned(assignment);
    set_paused(owned.get(), true);
  }
}

void GroupConsumer::resume() {
  paused_ = false;
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    KafkaPartitionList owned(assignment);
    set_paused(owned.get(), false);
  }
}

bool GroupConsumer::brokers_answer(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  // all_topics 0, no topic: the locally known topics, a request to one broker.
  const rd_kafka_resp_err_t error =
      rd_kafka_metadata(handle_.get(), 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  return error == RD_KAFKA_RESP_ERR_NO_ERROR;
}

std::int64_t GroupConsumer::lag() const {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  KafkaPartitionList owned(assignment);
  if (rd_kafka_position(handle_.get(), owned.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  std::int64_t total = 0;
  for (int i = 0; i < owned->cnt; ++i) {
    const auto& partition = owned->elems[i];
    std::int64_t low = 0;
    std::int64_t high = 0;
    if (rd_kafka_get_watermark_offsets(handle_.get(), partition.topic, partition.partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      return -1;
    }
    std::int64_t position = partition.offset < 0 ? low : partition.offset;
    total += std::max<std::int64_t>(high - position, 0);
  }
  return total;
}

std::function<void()> GroupConsumer::waker() const {
  return [target = wake_target_] {
    MutexLock lock(target->mutex);
    if (target->queue != nullptr) rd_kafka_queue_yield(target->queue);
  };
}

void GroupConsumer::close() {
  if (closed_) return;
  closed_ = true;
  nudger_->stop();
  if (auto error = rd_kafka_consumer_close(handle_.get())) {
    spdlog::warn("leaving the consumer group: {}", rd_kafka_err2str(error));
  }
}

void GroupConsumer::on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto& self = *static_cast<GroupConsumer*>(opaque);
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    spdlog::info("assigned {} partitions", partitions->cnt);
    rd_kafka_assign(handle, partitions);
    // A database outage outlives rebalances: new partitions stay paused too.
    if (self.paused_) self.set_paused(partitions, true);
    self.listener_.on_assigned(*partitions);
  } else {
    if (error == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      spdlog::info("revoking {} partitions", partitions->cnt);
      self.listener_.on_revoking(*partitions);
    } else {
      spdlog::warn("rebalance error: {}", rd_kafka_err2str(error));
    }
    rd_kafka_assign(handle, nullptr);
  }
}

}  // namespace hc::consumer
