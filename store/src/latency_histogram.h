// A window's latency histogram on the C++ side: the element-wise sum of rollup histograms
// (rollup_sql.h: cumulative, kLatencyBuckets elements) and its percentile estimate.
//
// hc_histogram_percentile (SQL, rollup_sql.cpp) is the definition of a percentile from a
// histogram; `percentile` here is the same arithmetic, so `hc status` can merge thousands of
// sites' histograms without PostgreSQL evaluating array expressions per site (which cost
// ~5 µs a call there). latency_histogram_pg_test checks both agree on random histograms.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rollup_sql.h"

namespace hc::store {

class LatencyHistogram {
 public:
  // Adds a cumulative histogram in PostgreSQL's text form of an int[] ("{0,0,1,...,3}").
  // Throws std::invalid_argument unless it is kLatencyBuckets non-negative, non-decreasing
  // integers.
  void add(std::string_view array_text);

  // Adds `checks` checks in `bucket` (1..kLatencyBuckets, hc_latency_bucket's numbering).
  // Throws std::invalid_argument for a bucket out of range or a negative count.
  void add_bucket(int bucket, std::int64_t checks);

  // Checks with a response time.
  std::int64_t total() const { return cumulative_.back(); }

  // Like percentile_cont(fraction) over the checks, as hc_histogram_percentile computes it,
  // clamped to [min_us, max_us]; nullopt for an empty histogram. REQUIRES: 0 <= fraction <= 1.
  std::optional<double> percentile(double fraction, std::int64_t min_us, std::int64_t max_us) const;

 private:
  // The k-th smallest response time's estimate (1-based k, 1 <= k <= total()).
  double kth_value(std::int64_t k, std::int64_t max_us) const;

  std::array<std::int64_t, kLatencyBuckets> cumulative_{};
};

}  // namespace hc::store
