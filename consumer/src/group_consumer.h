// A librdkafka high-level consumer: one member of the consumer group, manual commits.
//
// Every method is called from the consumer loop thread, except wake(), which any thread
// may call (the stop signal thread does). Rebalance callbacks run inside poll_batch(), on the
// loop thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "batch.h"
#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"

namespace hc::consumer {

// What the loop does when the group moves partitions. Called inside poll_batch().
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void on_assigned(const rd_kafka_topic_partition_list_t& partitions) = 0;
  // Called before the partitions are taken away: last chance to commit their offsets.
  virtual void on_revoking(const rd_kafka_topic_partition_list_t& partitions) = 0;
};

class GroupConsumer {
 public:
  // Joins config.group_id and subscribes to `topics`. Throws std::runtime_error if the
  // client cannot be created or the subscription is refused.
  GroupConsumer(const ConsumerConfig& config, const std::vector<std::string>& topics,
                RebalanceListener& listener);
  ~GroupConsumer();
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  // Up to `max_messages` messages, or fewer when `timeout` passed or the waker was
  // called. A message may carry an error (msg->err): the caller logs it and carries on.
  std::vector<KafkaMessage> poll_batch(std::chrono::milliseconds timeout, std::size_t max_messages);

  // Commits synchronously; returns librdkafka's error (NO_ERROR on success).
  rd_kafka_resp_err_t commit(const std::vector<PartitionOffset>& offsets);
  // Sends the commit and returns at once; librdkafka keeps commits in order. A failure is
  // reported to on_commit_failed (inside poll_batch) and only means those messages may
  // be read again after a restart, which the upsert makes harmless.
  void commit_async(const std::vector<PartitionOffset>& offsets);
  void set_commit_failure_handler(std::function<void(rd_kafka_resp_err_t)> on_commit_failed) {
    on_commit_failed_ = std::move(on_commit_failed);
  }
  // Client-level errors (all brokers down, authentication, resolution...), which librdkafka
  // does not deliver as messages. Called inside poll_batch(), on the loop thread; `reason` is
  // librdkafka's text. Without a handler they are only logged by librdkafka.
  void set_error_handler(
      std::function<void(rd_kafka_resp_err_t error, const std::string& reason)> on_error) {
    on_error_ = std::move(on_error);
  }

  // Stops fetching from every assigned partition (and from partitions assigned while
  // paused) until resume(). poll_batch() must still be called: it keeps the membership.
  void pause();
  void resume();
  bool paused() const { return paused_; }

  // Messages between our position and the high watermark over the assignment, from
  // librdkafka's cached watermarks; -1 when unknown.
  std::int64_t lag() const;

  // For StopControl::add_waker: makes a blocked poll_batch() return now. Thread-safe, and
  // stays safe to call after this object is gone (it then does nothing).
  std::function<void()> waker() const;

  // Leaves the group (revoke callback runs inside). Idempotent.
  void close();

 private:
  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void on_client_error(rd_kafka_t* handle, int error, const char* reason, void* opaque);
  void set_paused(rd_kafka_topic_partition_list_t* partitions, bool paused);

  // Shared with the waker handed out by wake(): queue_ is cleared under the mutex before
  // the queue is destroyed, so a late wake() from another thread finds nothing.
  struct WakeTarget {
    std::mutex mutex;
    rd_kafka_queue_t* queue = nullptr;
  };

  static void on_commit(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static KafkaPartitionList to_list(const std::vector<PartitionOffset>& offsets);

  RebalanceListener& listener_;
  std::function<void(rd_kafka_resp_err_t)> on_commit_failed_;
  std::function<void(rd_kafka_resp_err_t, const std::string&)> on_error_;
  KafkaHandle handle_;
  KafkaQueue queue_;
  std::shared_ptr<WakeTarget> wake_target_;
  bool paused_ = false;
  bool closed_ = false;
};

}  // namespace hc::consumer
