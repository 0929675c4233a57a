#include "consumer_stats.h"

#include <spdlog/spdlog.h>

namespace hc::consumer {

ConsumerStats::ConsumerStats(std::vector<std::string> table_labels)
    : table_labels_(std::move(table_labels)),
      rows_written_(table_labels_.size()),
      rows_expired_(table_labels_.size()) {
  for (const char* reason :
       {"bad_json", "wrong_type", "missing_field", "bad_version", "nul_byte", "bad_utf8",
        "bad_timestamp", "out_of_range", "too_large", "empty_value", "key_mismatch",
        "digest_mismatch", "db_rejected", "future_time", "other"}) {
    dead_letters_.try_emplace(reason, 0);
  }
}

std::uint64_t ConsumerStats::total_rows_written() const {
  std::uint64_t total = 0;
  for (const auto& rows : rows_written_) total += rows.load(std::memory_order_relaxed);
  return total;
}

std::atomic<std::uint64_t>& ConsumerStats::dead_letters(const std::string& reason) {
  auto it = dead_letters_.find(reason);
  return it == dead_letters_.end() ? dead_letters_.at("other") : it->second;
}

std::map<std::string, std::uint64_t> ConsumerStats::dead_letters_by_reason() const {
  std::map<std::string, std::uint64_t> result;
  for (const auto& [reason, count] : dead_letters_) result[reason] = count.load();
  return result;
}

void ConsumerStats::set_problem(std::optional<std::string> problem) {
  MutexLock lock(problem_mutex_);
  problem_ = std::move(problem);
}

std::optional<std::string> ConsumerStats::problem() const {
  MutexLock lock(problem_mutex_);
  return problem_;
}

std::uint64_t ConsumerStats::total_dead_letters() const {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : dead_letters_) total += count.load();
  return total;
}

void ConsumerStats::set_dead_letter_problem(std::string problem) {
  MutexLock lock(dead_letter_problem_mutex_);
  dead_letter_problem_ = std::move(problem);
}

std::string ConsumerStats::dead_letter_problem() const {
  MutexLock lock(dead_letter_problem_mutex_);
  return dead_letter_problem_;
}

StatsReporter::StatsReporter(const ConsumerStats& stats,
                             std::chrono::steady_clock::duration interval)
    : stats_(stats), interval_(interval), last_at_(std::chrono::steady_clock::now()) {}

void StatsReporter::maybe_report(std::chrono::steady_clock::time_point now) {
  if (now - last_at_ < interval_) return;
  double seconds = std::chrono::duration<double>(now - last_at_).count();
  std::uint64_t messages = stats_.messages_consumed.load();
  std::uint64_t rows = stats_.total_rows_written();
  std::uint64_t commits = stats_.commits.load();
  std::uint64_t commit_us = stats_.commit_latency_us_total.load();
  std::int64_t lag = stats_.lag_messages.load();
  double commit_ms = commits > last_commits_
                         ? static_cast<double>(commit_us - last_commit_us_) / 1000.0 /
                               static_cast<double>(commits - last_commits_)
                         : 0.0;
  spdlog::info(
      "consumed {:.0f} msg/s, wrote {:.0f} rows/s, {} dead letters, {} batches, commit {:.1f} "
      "ms, lag {}, database {}",
      static_cast<double>(messages - last_messages_) / seconds,
      static_cast<double>(rows - last_rows_) / seconds, stats_.total_dead_letters(),
      stats_.batches_written.load(), commit_ms,
      lag < 0 ? std::string("unknown") : std::to_string(lag),
      stats_.database_up.load() ? "up" : "DOWN");
  last_at_ = now;
  last_messages_ = messages;
  last_rows_ = rows;
  last_commits_ = commits;
  last_commit_us_ = commit_us;
}

}  // namespace hc::consumer
