// LatencyHistogram: what it accepts from PostgreSQL's int[] text and the percentile's edges.
// Its agreement with the SQL definition on random histograms is in rollups_test.cpp.
#include "latency_histogram.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hc::store {
namespace {

// A cumulative histogram's text with `checks` checks in `bucket` (1-based) only.
std::string one_bucket(std::size_t bucket, int checks) {
  std::vector<int> cumulative(kLatencyBuckets, 0);
  for (std::size_t i = bucket - 1; i < kLatencyBuckets; ++i) cumulative[i] = checks;
  return fmt::format("{{{}}}", fmt::join(cumulative, ","));
}

TEST(LatencyHistogram, RefusesAnythingButTheRollupsArrayText) {
  const std::string valid = one_bucket(3, 2);
  const std::string zeros = one_bucket(1, 0);
  for (const std::string& bad : std::vector<std::string>{
           "", "{}", "{", "}", "NULL", "0,0", valid.substr(1), valid.substr(0, valid.size() - 1),
           "{" + zeros.substr(1, zeros.size() - 2) + ",0}",  // 63 elements
           "{" + zeros.substr(3),                            // 61 elements
           "{-1" + zeros.substr(2),                          // negative
           "{5" + zeros.substr(2),                           // decreasing
           "{x" + zeros.substr(2), "{ 0" + zeros.substr(2),  // not a number
           "{0,,0" + zeros.substr(4), zeros.substr(0, zeros.size() - 1) + ",}",
           "{99999999999999999999" + zeros.substr(2),  // overflow
           std::string("{0\0", 3) + zeros.substr(2)}) {
    LatencyHistogram histogram;
    EXPECT_THROW(histogram.add(bad), std::invalid_argument) << bad;
    EXPECT_EQ(histogram.total(), 0) << "a refused histogram adds nothing: " << bad;
  }
  LatencyHistogram histogram;
  histogram.add(valid);
  histogram.add(valid);
  EXPECT_EQ(histogram.total(), 4);
}

TEST(LatencyHistogram, RefusesBucketsOutOfRange) {
  LatencyHistogram histogram;
  EXPECT_THROW(histogram.add_bucket(0, 1), std::invalid_argument);
  EXPECT_THROW(histogram.add_bucket(static_cast<int>(kLatencyBuckets) + 1, 1),
               std::invalid_argument);
  EXPECT_THROW(histogram.add_bucket(1, -1), std::invalid_argument);
  EXPECT_EQ(histogram.total(), 0);
  histogram.add_bucket(static_cast<int>(kLatencyBuckets), 3);  // 100 s and more
  EXPECT_EQ(histogram.total(), 3);
}

TEST(LatencyHistogram, PercentilesStayInTheBucketAndWithinMinAndMax) {
  LatencyHistogram empty;
  EXPECT_EQ(empty.percentile(0.5, 0, 10), std::nullopt);

  // One check in [1000, 1250): estimated in the middle of the bucket, clamped to min and max.
  LatencyHistogram one;
  one.add_bucket(12, 1);
  EXPECT_DOUBLE_EQ(*one.percentile(0.5, 0, 1'000'000), 1000 + (1249 - 1000) * 0.5);
  EXPECT_DOUBLE_EQ(*one.percentile(0.95, 1200, 1200), 1200);

  // Checks past the last bound: the bucket ends at max_us.
  LatencyHistogram slow;
  slow.add_bucket(static_cast<int>(kLatencyBuckets), 2);
  const auto p = slow.percentile(1.0, 100'000'000, 150'000'000);
  ASSERT_TRUE(p);
  EXPECT_GE(*p, 100'000'000);
  EXPECT_LE(*p, 150'000'000);

  // Adding the same histogram twice moves no percentile.
  LatencyHistogram twice;
  twice.add(one_bucket(20, 5));
  const auto once = twice.percentile(0.95, 8000, 9999);
  twice.add(one_bucket(20, 5));
  EXPECT_DOUBLE_EQ(*twice.percentile(0.95, 8000, 9999), *once);
}

}  // namespace
}  // namespace hc::store
