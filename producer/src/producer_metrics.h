// Prometheus metrics of the producer role (--metrics-addr), read at scrape time.
//
// Threads: record_check(), observe_lateness() and forget_sites() are called by the check
// loops, several at once; the collectable and kafka_problem() run on the metrics server's
// thread. Per-site counters sit behind a mutex (one short lock per completed check), in a
// table sized for a million sites (site_counters.h); the rest are atomics of ProducerStats or
// thread-safe prometheus::Histogram objects.
#pragma once

#include <prometheus/histogram.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_error.h"
#include "hc/common/metric_families.h"
#include "hc/common/mutex.h"
#include "producer_stats.h"
#include "site_counters.h"

namespace hc::producer {

class ProducerMetrics {
 public:
  explicit ProducerMetrics(const ProducerStats& stats);

  // One completed check of `url`: counted under its outcome ("up" or the error class).
  // outcome: index per check_error.h (up, error class, unhealthy).
  void record_check(const std::string& url, std::size_t outcome,
                    std::chrono::microseconds duration);
  // A failed attempt of `url` that is tried again (retry_policy.h).
  void record_retry(const std::string& url);
  void observe_lateness(std::chrono::nanoseconds lateness);
  // A published check's loop lag (the message's loop_lag_us; loop_lag.h).
  void observe_loop_lag(std::chrono::nanoseconds lag);
  // Room for the series of `sites` sites whose URLs take `url_bytes` in all (the sites the
  // producer checks), so that their first checks do not grow the table. Thread: any.
  void reserve_sites(std::size_t sites, std::size_t url_bytes);
  // After a reload: forget the series of sites no longer checked.
  void forget_sites(const std::vector<std::string>& urls);

  // For MetricsServer. Holds a reference to this object: keep it alive while serving.
  std::shared_ptr<prometheus::Collectable> collectable();

  // nullopt while Kafka is reachable; the reason when all brokers are down.
  std::optional<std::string> kafka_problem() const;

 private:
  void collect(MetricFamilyWriter& out) const;

  const ProducerStats& stats_;
  prometheus::Histogram check_duration_;
  prometheus::Histogram schedule_lateness_;
  prometheus::Histogram loop_lag_;
  mutable Mutex sites_mutex_;
  SiteCounters by_site_ GUARDED_BY(sites_mutex_);
};

}  // namespace hc::producer
