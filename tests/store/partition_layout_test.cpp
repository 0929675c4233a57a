// The partition arithmetic (partition_layout.h): interval boundaries, names, which partitions
// a set of times needs, which have expired; and the bound on what hostile times can create.
#include "partition_layout.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hc::store {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::sys_days;

WallTime at(std::chrono::year_month_day date, hours hour = hours(0)) {
  return std::chrono::time_point_cast<std::chrono::microseconds>(sys_days(date) + hour);
}
constexpr auto k2024 = std::chrono::year(2024);
constexpr auto k2025 = std::chrono::year(2025);
constexpr auto k2026 = std::chrono::year(2026);

TEST(PartitionLayout, IntervalsStartAtUtcDayMondayAndFirstOfMonth) {
  const WallTime wednesday = at(k2026 / 11 / 25, hours(13));
  EXPECT_EQ(interval_start(PartitionInterval::kDay, wednesday), at(k2026 / 11 / 25));
  EXPECT_EQ(next_interval_start(PartitionInterval::kDay, wednesday), at(k2026 / 11 / 26));
  EXPECT_EQ(interval_start(PartitionInterval::kWeek, wednesday), at(k2026 / 11 / 23));
  EXPECT_EQ(next_interval_start(PartitionInterval::kWeek, wednesday), at(k2026 / 11 / 30));
  EXPECT_EQ(interval_start(PartitionInterval::kMonth, wednesday), at(k2026 / 11 / 1));
  EXPECT_EQ(next_interval_start(PartitionInterval::kMonth, at(k2026 / 12 / 31)),
            at(std::chrono::year(2027) / 1 / 1));
  EXPECT_EQ(interval_start(PartitionInterval::kDay, at(std::chrono::year(1) / 1 / 1, hours(5))),
            at(std::chrono::year(1) / 1 / 1));
}

TEST(PartitionLayout, NamesFitInAnIdentifierAndStayUniqueForLongTables) {
  EXPECT_EQ(partition_name("healthcheck", {at(k2026 / 11 / 25), at(k2026 / 11 / 26)}),
            "healthcheck_p20261125");
  EXPECT_EQ(catch_all_name("healthcheck"), "healthcheck_before");
  const std::string long_a(63, 'a');
  const std::string long_b = std::string(62, 'a') + "b";
  const std::string name_a = partition_name(long_a, {at(k2026 / 11 / 25), std::nullopt});
  const std::string name_b = partition_name(long_b, {at(k2026 / 11 / 25), std::nullopt});
  EXPECT_LE(name_a.size(), 63u);
  EXPECT_NE(name_a, name_b);
  EXPECT_TRUE(name_a.ends_with("_p20261125")) << name_a;
}

TEST(PartitionLayout, ATableWithNothingGetsACatchAllThenRegularPartitions) {
  const WallTime now = at(k2026 / 11 / 25, hours(10));
  const auto planned = missing_partitions(
      {}, {at(k2025 / 1 / 1), now, at(k2026 / 11 / 27, hours(3))}, PartitionInterval::kDay, now);
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0], (PartitionRange{std::nullopt, at(k2026 / 11 / 25)}));
  EXPECT_EQ(planned[1], (PartitionRange{at(k2026 / 11 / 25), at(k2026 / 11 / 26)}));
  EXPECT_EQ(planned[2], (PartitionRange{at(k2026 / 11 / 27), at(k2026 / 11 / 28)}));
}

TEST(PartitionLayout, ARegularPartitionIsClippedToTheGapItFallsIn) {
  // The catch-all of a converted table ends mid-month; the month after starts on the 1st.
  const std::vector<Partition> existing = {
      {"t_before", {std::nullopt, at(k2026 / 11 / 18)}},
      {"t_p20261201", {at(k2026 / 12 / 1), at(std::chrono::year(2027) / 1 / 1)}}};
  const auto planned = missing_partitions(existing, {at(k2026 / 11 / 25)},
                                          PartitionInterval::kMonth, at(k2026 / 11 / 25));
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0], (PartitionRange{at(k2026 / 11 / 18), at(k2026 / 12 / 1)}));
}

// A new table's catch-all ends today; for week and month intervals today is mid-interval, and
// the partitions kept ready must still cover every time from now on (a row for now has a
// partition to go to) for every weekday and day of the month.
TEST(PartitionLayout, PartitionsAheadCoverEveryTimeFromNowWhateverTheDayOfTheInterval) {
  for (const auto interval :
       {PartitionInterval::kDay, PartitionInterval::kWeek, PartitionInterval::kMonth}) {
    for (int day = 0; day < 62; ++day) {
      const WallTime now = at(k2026 / 11 / 1, hours(13)) + days(day);
      // What `hc migrate` makes of an empty table: the catch-all up to today, then the plan.
      std::vector<Partition> existing = {
          {"t_before", {std::nullopt, at(k2026 / 11 / 1) + days(day)}}};
      for (const auto& range :
           missing_partitions(existing, intervals_ahead(interval, now), interval, now)) {
        existing.push_back({partition_name("t", range), range});
      }
      // Up to the start of the kPartitionsAhead-th interval after now's.
      WallTime until = now;
      for (int i = 0; i < kPartitionsAhead; ++i) until = next_interval_start(interval, until);
      for (auto time = now; time < until; time += hours(1)) {
        EXPECT_TRUE(std::ranges::any_of(
            existing, [time](const Partition& p) { return p.range.contains(time); }))
            << "interval " << static_cast<int>(interval) << ", now " << format_timestamp(now)
            << ": no partition for " << format_timestamp(time);
      }
    }
  }
}

TEST(PartitionLayout, ATimeBelowEveryPartitionGetsOneCatchAllNotOnePerDay) {
  const std::vector<Partition> existing = {
      {"t_p20261125", {at(k2026 / 11 / 25), at(k2026 / 11 / 26)}}};
  const auto planned =
      missing_partitions(existing, {at(k2025 / 3 / 1), at(k2024 / 1 / 1), at(k2025 / 7 / 9)},
                         PartitionInterval::kDay, at(k2026 / 11 / 25));
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0], (PartitionRange{std::nullopt, at(k2026 / 11 / 25)}));
}

// One message per day from year 0001 to 9999 (what the decoder accepts): the ones the loop
// lets through (row_fate) need at most the days up to now + kFutureLimit.
TEST(PartitionLayout, AStreamOfEveryDayOverTheCenturiesCreatesABoundedNumberOfPartitions) {
  const WallTime now = at(k2026 / 11 / 25, hours(10));
  std::vector<Partition> existing = {{"t_before", {std::nullopt, at(k2026 / 11 / 25)}}};
  for (const auto& range : missing_partitions(
           existing, intervals_ahead(PartitionInterval::kDay, now), PartitionInterval::kDay, now)) {
    existing.push_back({partition_name("t", range), range});
  }
  std::vector<WallTime> written;
  std::size_t too_far_ahead = 0;
  for (sys_days day = sys_days(std::chrono::year(1) / 1 / 1);
       day <= sys_days(std::chrono::year(9999) / 12 / 31); day += days(1)) {
    const WallTime time = std::chrono::time_point_cast<std::chrono::microseconds>(day + hours(12));
    switch (row_fate(time, now, 0)) {
      case RowFate::kWrite:
        written.push_back(time);
        break;
      case RowFate::kTooFarAhead:
        ++too_far_ahead;
        break;
      case RowFate::kExpired:
        FAIL() << "nothing expires without retention";
    }
  }
  EXPECT_GT(written.size(), 739'000u);  // 0001-01-01 .. 2026-12-02
  EXPECT_GT(too_far_ahead, 2'900'000u);
  const auto planned = missing_partitions(existing, written, PartitionInterval::kDay, now);
  EXPECT_LE(planned.size(), static_cast<std::size_t>(kFutureLimit.count()) + 1 - kPartitionsAhead);
}

TEST(PartitionLayout, RowsOlderThanRetentionExpireAndAPartitionStraddlingTheBoundaryStays) {
  const WallTime now = at(k2026 / 11 / 25, hours(10));
  EXPECT_EQ(row_fate(at(k2026 / 10 / 26, hours(9)), now, 30), RowFate::kExpired);
  EXPECT_EQ(row_fate(at(k2026 / 10 / 26, hours(11)), now, 30), RowFate::kWrite);
  EXPECT_EQ(row_fate(at(k2026 / 10 / 26, hours(9)), now, 0), RowFate::kWrite);
  EXPECT_EQ(row_fate(now + days(8), now, 0), RowFate::kTooFarAhead);
  const std::vector<Partition> existing = {
      {"before", {std::nullopt, at(k2026 / 10 / 25)}},
      {"p1025", {at(k2026 / 10 / 25), at(k2026 / 10 / 26)}},
      {"p1026", {at(k2026 / 10 / 26), at(k2026 / 10 / 27)}},  // 10:00 on the 26th is the edge
      {"p1125", {at(k2026 / 11 / 25), at(k2026 / 11 / 26)}}};
  std::vector<std::string> dropped;
  for (const auto& partition : expired_partitions(existing, now, 30)) {
    dropped.push_back(partition.name);
  }
  EXPECT_EQ(dropped, (std::vector<std::string>{"before", "p1025"}));
  EXPECT_TRUE(expired_partitions(existing, now, 0).empty());
}

}  // namespace
}  // namespace hc::store
