// Counters of the producer role. Written by the check loops and the publisher, readable
// from any thread (the periodic log line, the metrics endpoint): every field is an atomic,
// and the counters only grow. Relaxed ordering: each value is independent; a reader may see one
// counter a moment ahead of another.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "check_error.h"
#include "hc/common/kafka_error_hint.h"

namespace hc::producer {

// How late checks start against their deadlines: log-spaced buckets from 50 us to ~5 min
// (each bucket 25% wider than the previous), enough to read p50/p99 to within 25%.
class LatenessHistogram {
 public:
  static constexpr std::size_t kBuckets = 72;  // the last one also takes everything above

  void record(std::chrono::nanoseconds lateness);

  struct Snapshot {
    std::array<std::uint64_t, kBuckets> counts{};
    std::uint64_t total() const;
    // Upper bound of the bucket holding quantile q (0 < q <= 1), in ms; 0 when empty.
    double quantile_ms(double q) const;
    Snapshot since(const Snapshot& earlier) const;
  };
  Snapshot snapshot() const;

  static double bucket_upper_bound_us(std::size_t bucket);

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
};

struct ProducerStats {
  using Counter = std::atomic<std::uint64_t>;

  // Completed checks by outcome (check_error.h): up, each error class, unhealthy.
  std::array<Counter, kOutcomeCount> checks{};
  Counter& checks_with(std::size_t outcome) { return checks.at(outcome); }
  Counter& checks_failed(CheckError error) { return checks[outcome_of(error)]; }
  std::uint64_t checks_total() const;
  std::uint64_t checks_failed_total() const;

  // Scheduling (mirrors SchedulerCounters).
  Counter starts{0};
  Counter skipped_in_flight{0};
  Counter skipped_late{0};
  Counter deferred_by_bound{0};
  Counter cancelled_checks{0};  // in flight at a stop past shutdown_grace: not published
  Counter retries{0};           // failed attempts tried again (retry_policy.h)
  // Attempts that found their host's slots all taken and waited (host_slots.h).
  Counter waited_for_host{0};
  LatenessHistogram lateness;

  // Publishing.
  Counter published{0};             // handed to librdkafka
  Counter dropped_queue_full{0};    // never handed over: local queue at its bound
  Counter publish_errors{0};        // produce call failed for another reason
  Counter delivered{0};             // acknowledged by the broker
  Counter delivery_failures{0};     // delivery report with an error
  Counter producer_recreations{0};  // after a fatal (idempotence) error
  Counter undelivered_at_shutdown{0};

  // Gauges.
  std::atomic<std::int64_t> sites{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> queue_depth{0};
  // False after librdkafka reports all brokers down, true again on the next delivery.
  std::atomic<bool> kafka_reachable{true};
  // The last client error that names a setting (wrong password, untrusted CA), until the
  // next delivery; /healthz reports it before "all brokers down". Not an atomic: it has its
  // own mutex.
  KafkaSettingsProblem kafka_settings;
};

}  // namespace hc::producer
