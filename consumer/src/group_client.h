// The consumer loop's view of its Kafka consumer-group membership: the seam between
// ConsumerLoop and librdkafka. GroupConsumer is the Kafka implementation; tests substitute
// fakes that rebalance, fail commits and hand out records on purpose.
//
// Every method is called from the consumer loop thread, except the function waker()
// returns, which any thread may call. Rebalance callbacks (RebalanceListener) run inside
// poll_batch() and close(), on the loop thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "batch.h"
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

// One polled record, or an error in its place. Views memory owned by its PolledBatch.
struct PolledRecord {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string_view error_text;  // when error
  std::string_view topic;       // empty for an error not tied to a topic
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  const void* key = nullptr;  // may be null (record without key)
  std::size_t key_bytes = 0;
  const void* value = nullptr;  // may be null (tombstone)
  std::size_t value_bytes = 0;
};

// The records of one poll, valid while this object lives.
struct PolledBatch {
  std::vector<PolledRecord> records;
  std::vector<KafkaMessage> messages;  // what the records view (librdkafka's messages)
};

class GroupClient {
 public:
  virtual ~GroupClient() = default;

  // Up to `max_messages` records, or fewer when `timeout` passed or the waker was called.
  // A record may carry an error: the caller logs it and carries on.
  virtual PolledBatch poll_batch(std::chrono::milliseconds timeout, std::size_t max_messages) = 0;

  // Commits synchronously; returns librdkafka's error (NO_ERROR on success).
  virtual rd_kafka_resp_err_t commit(const std::vector<PartitionOffset>& offsets) = 0;
  // Sends the commit and returns at once, commits kept in order. A failure is reported
  // to the commit failure handler (inside poll_batch) and only means those messages may
  // be read again after a restart, which the upsert makes harmless.
  virtual void commit_async(const std::vector<PartitionOffset>& offsets) = 0;
  virtual void set_commit_failure_handler(
      std::function<void(rd_kafka_resp_err_t)> on_commit_failed) = 0;
  // Client-level errors (all brokers down, authentication, resolution...), which librdkafka
  // does not deliver as records. Called inside poll_batch(), on the loop thread; `reason` is
  // librdkafka's text. Without a handler they are only logged.
  virtual void set_error_handler(
      std::function<void(rd_kafka_resp_err_t error, const std::string& reason)> on_error) = 0;

  // Asks the cluster for its metadata and waits at most `timeout`: true when a broker
  // answered. Blocks the caller. After "all brokers down" this is how the loop learns that
  // the brokers are back: a record polled then may have been fetched before the outage.
  virtual bool brokers_answer(std::chrono::milliseconds timeout) = 0;

  // Stops fetching from every assigned partition (and from partitions assigned while
  // paused) until resume(). poll_batch() must still be called: it keeps the membership.
  // Records already fetched but not yet polled are dropped and fetched again after
  // resume() (from the position after the last polled record).
  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual bool paused() const = 0;

  // Messages between our position and the high watermark over the assignment; -1 when
  // unknown.
  virtual std::int64_t lag() const = 0;

  // For StopControl::add_waker: makes a blocked poll_batch() return now. Thread-safe, and
  // stays safe to call after this object is gone (it then does nothing).
  virtual std::function<void()> waker() const = 0;

  // Leaves the group (the revoke callback runs inside). Idempotent.
  virtual void close() = 0;
};

}  // namespace hc::consumer
