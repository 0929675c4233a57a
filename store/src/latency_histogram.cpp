#include "latency_histogram.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hc::store {

void LatencyHistogram::add(std::string_view array_text) {
  if (array_text.size() < 2 || array_text.front() != '{' || array_text.back() != '}') {
    throw std::invalid_argument("latency histogram: not an array: " + std::string(array_text));
  }
  std::array<std::int64_t, kLatencyBuckets> added{};
  const char* at = array_text.data() + 1;
  const char* const end = array_text.data() + array_text.size() - 1;
  std::size_t count = 0;
  bool valid = true;
  while (valid && count < added.size()) {
    const auto [next, error] = std::from_chars(at, end, added[count]);
    valid = error == std::errc() && added[count] >= 0 &&
            (count == 0 || added[count] >= added[count - 1]);
    at = next;
    ++count;
    // A comma between elements, the closing brace after the last.
    if (valid && count < added.size()) valid = at < end && *at++ == ',';
  }
  if (!valid || at != end) {
    throw std::invalid_argument("latency histogram: expected " + std::to_string(added.size()) +
                                " non-decreasing counts: " + std::string(array_text));
  }
  for (std::size_t i = 0; i < added.size(); ++i) cumulative_[i] += added[i];
}

void LatencyHistogram::add_bucket(int bucket, std::int64_t checks) {
  if (bucket < 1 || static_cast<std::size_t>(bucket) > kLatencyBuckets || checks < 0) {
    throw std::invalid_argument("latency histogram: bucket " + std::to_string(bucket) +
                                " or count " + std::to_string(checks) + " out of range");
  }
  // Cumulative: the checks count in their bucket and every later one.
  for (auto i = static_cast<std::size_t>(bucket - 1); i < kLatencyBuckets; ++i) {
    cumulative_[i] += checks;
  }
}

double LatencyHistogram::kth_value(std::int64_t k, std::int64_t max_us) const {
  // Within [1, total]: a position rounded in double precision never points past the last check.
  k = std::clamp<std::int64_t>(k, 1, total());
  // The bucket (0-based here) of the k-th check: the first whose cumulative count reaches k.
  const auto bucket = static_cast<std::size_t>(
      std::upper_bound(cumulative_.begin(), cumulative_.end(), k - 1) - cumulative_.begin());
  const std::int64_t before = bucket > 0 ? cumulative_[bucket - 1] : 0;
  const std::int64_t lower = bucket > 0 ? kLatencyBucketBoundsUs[bucket - 1] : 0;
  const std::int64_t upper =
      bucket < kLatencyBucketBoundsUs.size() ? kLatencyBucketBoundsUs[bucket] : max_us + 1;
  // The bucket's checks spread evenly over it: the j-th at (j - 0.5) / n of the way.
  return static_cast<double>(lower) + static_cast<double>(upper - 1 - lower) *
                                          (static_cast<double>(k - before) - 0.5) /
                                          static_cast<double>(cumulative_[bucket] - before);
}

std::optional<double> LatencyHistogram::percentile(double fraction, std::int64_t min_us,
                                                   std::int64_t max_us) const {
  if (total() <= 0) return std::nullopt;
  const double position = 1 + fraction * static_cast<double>(total() - 1);
  const double below = kth_value(static_cast<std::int64_t>(std::floor(position)), max_us);
  const double above = kth_value(static_cast<std::int64_t>(std::ceil(position)), max_us);
  const double value = below + (position - std::floor(position)) * (above - below);
  // greatest(min_us, least(max_us, value)), as in SQL: min_us wins should they cross.
  return std::max(static_cast<double>(min_us), std::min(static_cast<double>(max_us), value));
}

}  // namespace hc::store
