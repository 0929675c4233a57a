// A librdkafka high-level consumer: one member of the consumer group, manual commits. The
// GroupClient of the consumer role (see group_client.h for the thread contract).
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fetch_nudger.h"
#include "group_client.h"
#include "hc/common/config.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/mutex.h"

namespace hc::consumer {

// How much librdkafka prefetches for the consumer, and how often taking it out wakes the
// fetcher (fetch_nudger.h). The defaults bound the queue at 8 MB and nudge after each 2 MB:
// in bench/consumer that wrote ~2x the rows per second of a 32 MB queue without nudges, in
// a third less memory. A poll should ask for fewer bytes than the queue holds: one that
// empties it waits for its timeout before what it took counts.
struct PrefetchLimits {
  int queue_kbytes = 8192;                               // queued.max.messages.kbytes
  std::size_t nudge_every_bytes = std::size_t{2} << 20;  // 0: no nudges
  int partition_fetch_bytes = 0;  // max.partition.fetch.bytes; 0: librdkafka's
};

// The librdkafka properties of `limits` for librdkafka `version` (as rd_kafka_version() gives
// it). From librdkafka 2.2 a full queue backs each partition's fetch off for
// fetch.queue.backoff.ms (1 s by default), checked before the queue, which a nudge does not
// shorten: there the back-off is made short instead (2.0.2, Debian 12's, refuses the property).
std::vector<std::pair<std::string, std::string>> prefetch_properties(const PrefetchLimits& limits,
                                                                     int librdkafka_version);

class GroupConsumer final : public GroupClient {
 public:
  // Joins config.group_id and subscribes to `topics`. Throws std::runtime_error if the
  // client cannot be created or the subscription is refused.
  GroupConsumer(const ConsumerConfig& config, const std::vector<std::string>& topics,
                RebalanceListener& listener, PrefetchLimits limits = {});
  ~GroupConsumer() override;
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  PolledBatch poll_batch(std::chrono::milliseconds timeout, std::size_t max_messages) override;
  rd_kafka_resp_err_t commit(const std::vector<PartitionOffset>& offsets) override;
  void commit_async(const std::vector<PartitionOffset>& offsets) override;
  void set_commit_failure_handler(
      std::function<void(rd_kafka_resp_err_t)> on_commit_failed) override {
    on_commit_failed_ = std::move(on_commit_failed);
  }
  void set_error_handler(
      std::function<void(rd_kafka_resp_err_t error, const std::string& reason)> on_error) override {
    on_error_ = std::move(on_error);
  }
  void pause() override;
  void resume() override;
  bool paused() const override { return paused_; }
  // From librdkafka's cached watermarks.
  std::int64_t lag() const override;
  bool brokers_answer(std::chrono::milliseconds timeout) override;
  std::function<void()> waker() const override;
  void close() override;
  // Fetch nudges sent so far (FetchNudger::nudges).
  std::size_t fetch_nudges() const { return nudger_->nudges(); }

 private:
  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void on_client_error(rd_kafka_t* handle, int error, const char* reason, void* opaque);
  void set_paused(rd_kafka_topic_partition_list_t* partitions, bool paused);

  // Shared with the waker handed out by wake(): queue_ is cleared under the mutex before
  // the queue is destroyed, so a late wake() from another thread finds nothing.
  struct WakeTarget {
    Mutex mutex;
    rd_kafka_queue_t* queue GUARDED_BY(mutex) = nullptr;
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
  std::unique_ptr<FetchNudger> nudger_;  // after handle_: stopped before the client goes
  bool paused_ = false;
  bool closed_ = false;
};

}  // namespace hc::consumer
