// The numbers of one site over a window, added up from the two parts a reader's statement
// returns for it: the closed hours summed (their latency histogram as int[] text) and the raw
// rows counted per latency bucket (rollup_sql.h's buckets), so that each check counts once in
// one histogram whichever part it is in. The percentiles are computed here, in C++
// (LatencyHistogram), where 10,000 sites cost microseconds rather than the ~10 µs per site of
// PostgreSQL's array expressions.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/row>
#include <string>
#include <string_view>

#include "latency_histogram.h"

namespace hc::store {

// A subquery (give it an alias) of the raw part per site in WindowTotal's raw columns (after
// url_digest: checks, up_checks, buckets, min_us, max_us), from the raw rows of `raw_rows` (a
// FROM item: a CTE's name, or a table with a WHERE clause after it).
std::string raw_part_sql(std::string_view raw_rows);

class WindowTotal {
 public:
  // Adds the closed part in the five columns of `row` from `first`: checks, up checks, the
  // cumulative histogram (int[] text), min and max response time. NULL checks: no closed part.
  // Throws std::invalid_argument for a malformed histogram.
  void add_closed(const pqxx::row& row, pqxx::row::size_type first);
  // Adds the raw part in the five columns of `row` from `first`: checks, up checks, the checks
  // per bucket as "bucket:count" pairs joined by commas (bucket 0: no response time), min and
  // max response time. NULL checks: no raw part. Throws std::invalid_argument for a malformed
  // pair list or a bucket out of range.
  void add_raw(const pqxx::row& row, pqxx::row::size_type first);

  std::int64_t checks() const { return checks_; }
  std::int64_t up_checks() const { return up_checks_; }
  // 100 * up / checks; 0 without checks.
  double uptime_percent() const;
  // The window's percentile (LatencyHistogram::percentile) rounded as PostgreSQL casts double
  // precision to bigint (to the nearest, ties to even); nullopt without a response time.
  std::optional<std::int64_t> percentile(double fraction) const;

 private:
  // Counts checks and up checks and widens min/max from the part's columns; false without a
  // part (NULL checks).
  bool add_counts(const pqxx::row& row, pqxx::row::size_type first);
  void add_buckets(std::string_view pairs);

  std::int64_t checks_ = 0;
  std::int64_t up_checks_ = 0;
  LatencyHistogram histogram_;
  std::optional<std::int64_t> min_us_;
  std::optional<std::int64_t> max_us_;
};

}  // namespace hc::store
