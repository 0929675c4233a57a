// The producer's periodic one-line summary at info level, e.g.
//   "checks 2480/s (errors 12, by class: timeout 10 connect 2), skipped 0, late p50 0.3 ms
//    p99 2.1 ms, published 24800, dropped 0, delivery failures 0, queue 35, in flight 212"
// Rates and lateness quantiles cover the interval since the previous line; counts are totals.
#pragma once

#include <chrono>

#include "producer_stats.h"

namespace hc::producer {

class StatsLog {
 public:
  // `stats` must outlive this object. Thread: the producer loop.
  explicit StatsLog(const ProducerStats& stats,
                    std::chrono::seconds every = std::chrono::seconds(10));

  // Logs if `every` has passed since the last line.
  void maybe_log(std::chrono::steady_clock::time_point now);
  // Logs the totals since start (at shutdown).
  void log_totals(std::chrono::steady_clock::time_point now) const;

 private:
  const ProducerStats& stats_;
  std::chrono::seconds every_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_logged_;
  std::uint64_t last_checks_ = 0;
  LatenessHistogram::Snapshot last_lateness_;
};

}  // namespace hc::producer
