// The group member of `hc notify` on the events topics: manual commits carrying the
// DeliveryTracker's per-channel marks as offset metadata.
//
// On assignment it reads each partition's committed offset and metadata and hands them to
// the tracker before consumption starts; on revocation it commits the tracker's points for
// the partitions it gives up (synchronously, so the next owner starts there) and forgets
// them.
//
// Threads: every method and the rebalance and error callbacks run on the consumer thread
// (the callbacks inside poll()). The tracker is thread-safe.
#pragma once

#include <chrono>
#include <vector>

#include "delivery_tracker.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/notify_config.h"
#include "notify_stats.h"

namespace hc::notify {

class EventConsumer {
 public:
  // Joins config.notify_group and subscribes to config.events_topics. Throws
  // std::runtime_error if the client cannot be created or the subscription is refused.
  EventConsumer(const NotifyConfig& config, DeliveryTracker& tracker, NotifyStats& stats);
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  // A record or an error (check ->err); null when nothing came within `timeout`.
  KafkaMessage poll(std::chrono::milliseconds timeout);
  // Commits `points` (asynchronously: a failure is logged, the next commit covers it).
  void commit_async(const std::vector<CommitPoint>& points);
  // Commits `points` and waits for the answer; false (logged) on failure.
  bool commit_sync(const std::vector<CommitPoint>& points);
  // Stops or restarts fetching on every assigned partition (too many events owed).
  void set_paused(bool paused);
  bool paused() const { return paused_; }
  // Leaves the group (revoking: the tracker's points are committed first).
  void close();

 private:
  static void on_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t error,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void on_error(rd_kafka_t* handle, int error, const char* reason, void* opaque);
  void assign(rd_kafka_topic_partition_list_t* partitions);
  void revoke(rd_kafka_topic_partition_list_t* partitions);

  DeliveryTracker& tracker_;
  NotifyStats& stats_;
  KafkaHandle handle_;
  bool paused_ = false;
  bool closed_ = false;
};

}  // namespace hc::notify
