// Counters of the consumer role. Written by the consumer loop thread; read by anyone
// (atomics, relaxed: each value is a monotonic counter or a gauge, no cross-field
// invariant; the one text, dead_letter_problem, under its own mutex). consumer_metrics.cpp
// exports them as Prometheus metrics and /healthz.
#pragma once

#include <prometheus/histogram.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/kafka_error_hint.h"
#include "hc/common/mutex.h"

namespace hc::consumer {

class ConsumerStats {
 public:
  // table_labels: "database/table" per sink index (see Router::sinks()).
  explicit ConsumerStats(std::vector<std::string> table_labels);

  std::atomic<std::uint64_t> messages_consumed{0};
  std::atomic<std::uint64_t> batches_written{0};
  std::atomic<std::uint64_t> commits{0};
  std::atomic<std::uint64_t> commit_failures{0};
  std::atomic<std::uint64_t> commit_latency_us_total{0};  // synchronous commits only
  std::atomic<std::uint64_t> dead_letters_delivered{0};
  std::atomic<std::uint64_t> dead_letter_failures{0};  // failed deliveries (then re-sent)
  std::atomic<std::uint64_t> dead_letters_pending{0};  // sent, not yet acknowledged (gauge)
  std::atomic<std::uint64_t> dead_letters_truncated{0};
  // Letters that could not fit their topic even cut to nothing (logged with the source).
  std::atomic<std::uint64_t> dead_letters_dropped{0};
  std::atomic<bool> database_up{true};
  // Database errors seen, by DbErrorClass (db_error.h): failed batch writes for outage,
  // busy and definition; refused rows for row_data.
  std::array<std::atomic<std::uint64_t>, 4> database_errors{};
  std::atomic<std::int64_t> lag_messages{-1};  // -1 = unknown
  // False after librdkafka reports all brokers down, true again on the next message.
  std::atomic<bool> kafka_reachable{true};
  // The last client error that names a setting (wrong password, untrusted CA), until the
  // group answers again; /healthz reports it before "all brokers down".
  KafkaSettingsProblem kafka_settings;
  // Rows per table per batch, and seconds to write and commit one batch in one database
  // (observed by the batch writer thread; prometheus::Histogram is thread-safe).
  prometheus::Histogram batch_rows{{1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000}};
  prometheus::Histogram commit_seconds{
      {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}};

  const std::vector<std::string>& table_labels() const { return table_labels_; }
  std::atomic<std::uint64_t>& rows_written(std::size_t sink) { return rows_written_.at(sink); }
  std::uint64_t rows_written_count(std::size_t sink) const {
    return rows_written_.at(sink).load(std::memory_order_relaxed);
  }
  std::uint64_t total_rows_written() const;
  // Rows older than their table's retention, not written (their offsets commit as usual).
  std::atomic<std::uint64_t>& rows_expired(std::size_t sink) { return rows_expired_.at(sink); }
  std::uint64_t rows_expired_count(std::size_t sink) const {
    return rows_expired_.at(sink).load(std::memory_order_relaxed);
  }

  // Table upkeep (table_maintenance.h), counted by the maintenance thread: runs by result
  // (index: MaintenanceResult), partitions created ahead and dropped.
  std::array<std::atomic<std::uint64_t>, 3> maintenance_runs{};
  std::atomic<std::uint64_t> partitions_created{0};
  std::atomic<std::uint64_t> partitions_dropped{0};

  // Poison messages by reason kind; unknown kinds count under "other".
  std::atomic<std::uint64_t>& dead_letters(const std::string& reason);
  std::map<std::string, std::uint64_t> dead_letters_by_reason() const;
  std::uint64_t total_dead_letters() const;

  // Why the consumer is not healthy (for /healthz), as decided by the loop: a database
  // outage, a table that refuses writes, a writer stuck on one write. nullopt = healthy.
  // Thread-safe (mutex): the loop sets it, the metrics server reads it.
  void set_problem(std::optional<std::string> problem);
  std::optional<std::string> problem() const;

  // Why dead letters cannot be delivered (a dead-letter topic missing or refused, or
  // repeated delivery failures), one line naming the topic; empty while they can.
  void set_dead_letter_problem(std::string problem);
  std::string dead_letter_problem() const;

 private:
  mutable Mutex problem_mutex_;
  std::optional<std::string> problem_ GUARDED_BY(problem_mutex_);
  mutable Mutex dead_letter_problem_mutex_;
  std::string dead_letter_problem_ GUARDED_BY(dead_letter_problem_mutex_);
  std::vector<std::string> table_labels_;
  std::vector<std::atomic<std::uint64_t>> rows_written_;
  std::vector<std::atomic<std::uint64_t>> rows_expired_;
  // Keys fixed at construction, so lookups need no lock.
  std::map<std::string, std::atomic<std::uint64_t>> dead_letters_;
};

// Logs one summary line at info every `interval` (rates since the previous line).
// Used by the consumer loop thread only.
class StatsReporter {
 public:
  StatsReporter(const ConsumerStats& stats, std::chrono::steady_clock::duration interval);
  void maybe_report(std::chrono::steady_clock::time_point now);

 private:
  const ConsumerStats& stats_;
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_at_;
  std::uint64_t last_messages_ = 0;
  std::uint64_t last_rows_ = 0;
  std::uint64_t last_commits_ = 0;
  std::uint64_t last_commit_us_ = 0;
};

}  // namespace hc::consumer
