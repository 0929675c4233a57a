#include "producer_stats.h"

#include <algorithm>
#include <cmath>

namespace hc::producer {
namespace {
constexpr double kFirstBoundUs = 50.0;
constexpr double kGrowth = 1.25;
}  // namespace

double LatenessHistogram::bucket_upper_bound_us(std::size_t bucket) {
  return kFirstBoundUs * std::pow(kGrowth, static_cast<double>(bucket));
}

void LatenessHistogram::record(std::chrono::nanoseconds lateness) {
  const double us = static_cast<double>(lateness.count()) / 1000.0;
  std::size_t bucket = 0;
  if (us > kFirstBoundUs) {
    bucket = static_cast<std::size_t>(std::ceil(std::log(us / kFirstBoundUs) / std::log(kGrowth)));
  }
  counts_[std::min(bucket, kBuckets - 1)].fetch_add(1, std::memory_order_relaxed);
}

LatenessHistogram::Snapshot LatenessHistogram::snapshot() const {
  Snapshot copy;
  for (std::size_t i = 0; i < kBuckets; ++i)
    copy.counts[i] = counts_[i].load(std::memory_order_relaxed);
  return copy;
}

std::uint64_t LatenessHistogram::Snapshot::total() const {
  std::uint64_t sum = 0;
  for (std::uint64_t count : counts) sum += count;
  return sum;
}

double LatenessHistogram::Snapshot::quantile_ms(double q) const {
  const std::uint64_t all = total();
  if (all == 0) return 0.0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(all)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return bucket_upper_bound_us(i) / 1000.0;
  }
  return bucket_upper_bound_us(kBuckets - 1) / 1000.0;
}

LatenessHistogram::Snapshot LatenessHistogram::Snapshot::since(const Snapshot& earlier) const {
  Snapshot delta;
  for (std::size_t i = 0; i < kBuckets; ++i) delta.counts[i] = counts[i] - earlier.counts[i];
  return delta;
}

std::uint64_t ProducerStats::checks_total() const {
  std::uint64_t sum = 0;
  for (const Counter& count : checks) sum += count.load(std::memory_order_relaxed);
  return sum;
}

std::uint64_t ProducerStats::checks_failed_total() const {
  return checks_total() - checks[0].load(std::memory_order_relaxed);
}

}  // namespace hc::producer
