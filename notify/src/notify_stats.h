// What `hc notify` counts, for /metrics and /healthz:
//   hc_notifications_total{channel,outcome}  outcome: delivered (accepted by the receiver),
//       retried (an attempt failed and will be repeated), dead_lettered, skipped (already
//       delivered before a restart, per the committed progress), silenced, suppressed (a
//       flap within for_s), reminded (a repeat_every_s reminder), rate_limited (a request
//       that had to wait for the rate limit)
//   hc_notify_channel_up{channel}             1 until an attempt fails, 0 until one succeeds
//   hc_notify_events_total{outcome}           routed, unrouted (no route matched), poison
//   hc_notify_pending_events                  read, not yet complete on every channel
// /healthz answers 503 naming each channel that is down (and its last error) and when Kafka
// is unreachable.
//
// Threads: channel threads and the consumer thread update; the metrics server's thread
// reads. Counters are atomics; a mutex guards the text fields.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/metric_families.h"
#include "hc/common/mutex.h"

namespace hc::notify {

enum class DeliveryOutcome {
  kDelivered,
  kRetried,
  kDeadLettered,
  kSkipped,
  kSilenced,
  kSuppressed,
  kReminded,
  kRateLimited
};
enum class EventOutcome { kRouted, kUnrouted, kPoison };

class NotifyStats {
 public:
  explicit NotifyStats(std::vector<std::string> channel_names);

  void count(std::size_t channel, DeliveryOutcome outcome);
  void count(EventOutcome outcome);
  // After each attempt: up on success, down with `error` on failure.
  void set_channel_up(std::size_t channel);
  void set_channel_down(std::size_t channel, const std::string& error);
  void set_kafka_problem(std::optional<std::string> problem);
  void set_pending(std::size_t pending) { pending_.store(pending); }

  std::uint64_t delivered(std::size_t channel) const;

  void collect(MetricFamilyWriter& out) const;
  std::optional<std::string> problem() const;

 private:
  struct Channel {
    std::string name;
    std::atomic<std::uint64_t> outcomes[8] = {};  // by DeliveryOutcome
    std::atomic<bool> up{true};
  };
  std::vector<std::unique_ptr<Channel>> channels_;
  std::atomic<std::uint64_t> events_[3] = {};  // by EventOutcome
  std::atomic<std::size_t> pending_{0};
  mutable Mutex mutex_;
  std::optional<std::string> kafka_problem_ GUARDED_BY(mutex_);
  std::vector<std::string> last_errors_ GUARDED_BY(mutex_);  // by channel, while down
};

}  // namespace hc::notify
