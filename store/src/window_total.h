// The numbers of one site over a window, added up from the parts a reader's statement returns
// for it: sums of closed hours (a histogram as int[] text) and raw rows counted per latency
// bucket (rollup_sql.h's buckets), so that each check counts once in one histogram whichever
// part it is in. The percentiles are computed here, in C++ (LatencyHistogram), where 10,000
// sites cost microseconds rather than the ~10 µs per site of PostgreSQL's array expressions.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/row>

#include "latency_histogram.h"

namespace hc::store {

class WindowTotal {
 public:
  // Adds the part in the six columns of `row` from `first`: checks, up checks, histogram (int[]
  // text, or NULL), bucket (1..kLatencyBuckets when the histogram is NULL: all the part's checks
  // with a response time are in it), min and max response time (NULL without one). A NULL
  // checks column is no part (a site without checks in the window). Throws
  // std::invalid_argument for a malformed histogram or bucket.
  void add(const pqxx::row& row, pqxx::row::size_type first);

  std::int64_t checks() const { return checks_; }
  std::int64_t up_checks() const { return up_checks_; }
  // 100 * up / checks; 0 without checks.
  double uptime_percent() const;
  // The window's percentile (LatencyHistogram::percentile) rounded as PostgreSQL casts double
  // precision to bigint (to the nearest, ties to even); nullopt without a response time.
  std::optional<std::int64_t> percentile(double fraction) const;

 private:
  std::int64_t checks_ = 0;
  std::int64_t up_checks_ = 0;
  LatencyHistogram histogram_;
  std::optional<std::int64_t> min_us_;
  std::optional<std::int64_t> max_us_;
};

}  // namespace hc::store
