#include "batch.h"

#include <gtest/gtest.h>

#include "hc/common/url_digest.h"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;
using TimePoint = Batch::TimePoint;

Measurement row(const std::string& url, std::int64_t at_us, std::int64_t response_time_us) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = WallTime(std::chrono::microseconds(at_us));
  m.response_time_us = response_time_us;
  return m;
}

TEST(TableRows, KeepsOneRowPerKeyAndTheLaterOneWins) {
  TableRows rows;
  rows.add(row("https://a/", 1, 100));
  rows.add(row("https://b/", 1, 200));
  rows.add(row("https://a/", 1, 300));  // a replay of the first key, newer offset
  rows.add(row("https://a/", 2, 400));  // same site, another measurement: a new key
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::get<Measurement>(rows.rows()[0]).response_time_us, 300);
  EXPECT_EQ(std::get<Measurement>(rows.rows()[1]).response_time_us, 200);
  EXPECT_EQ(std::get<Measurement>(rows.rows()[2]).response_time_us, 400);
}

TEST(TableRows, RefusesARowWhoseDigestIsNotASha256) {
  TableRows rows;
  Measurement bad = row("https://a/", 1, 100);
  bad.url_digest = "abc";
  EXPECT_THROW(rows.add(bad), std::invalid_argument);
  EXPECT_TRUE(rows.empty());
}

TEST(RowLane, PutsEveryRowInExactlyOneLaneAndUsesThemAll) {
  for (std::size_t lanes : {1u, 2u, 3u, 4u}) {
    std::vector<std::size_t> rows_per_lane(lanes, 0);
    for (int i = 0; i < 1000; ++i) {
      const Measurement m = row("https://site" + std::to_string(i) + "/", i, 1);
      std::size_t holders = 0;
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        if (RowLane{lane, lanes}.holds(m)) {
          ++holders;
          ++rows_per_lane[lane];
        }
      }
      EXPECT_EQ(holders, 1u) << m.url << " with " << lanes << " lanes";
    }
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      EXPECT_GT(rows_per_lane[lane], 1000 / lanes / 2) << "lane " << lane << " of " << lanes;
    }
  }
}

TEST(RowLane, KeepsAllMeasurementsOfOneUrlInOneLane) {
  const RowLane first{0, 2};
  const bool in_first = first.holds(row("https://a/", 1, 1));
  for (int at = 2; at < 50; ++at) EXPECT_EQ(first.holds(row("https://a/", at, 1)), in_first);
}

TEST(Batch, CommitsTheHighestOffsetPlusOnePerPartition) {
  Batch batch(1, 100, milliseconds(100));
  TimePoint now{};
  batch.add_message("t", 0, 5, now);
  batch.add_message("t", 1, 9, now);
  batch.add_message("t", 0, 7, now);
  batch.add_message("u", 0, 2, now);
  std::vector<PartitionOffset> expected = {{"t", 0, 8}, {"t", 1, 10}, {"u", 0, 3}};
  EXPECT_EQ(batch.offsets(), expected);
}

TEST(Batch, IsDueWhenFullByMessages) {
  Batch batch(1, 3, milliseconds(100));
  TimePoint now{};
  batch.add_message("t", 0, 0, now);
  batch.add_message("t", 0, 1, now);
  EXPECT_FALSE(batch.due(now));
  batch.add_message("t", 0, 2, now);
  EXPECT_TRUE(batch.due(now));
}

TEST(Batch, IsDueWhenTheOldestMessageIsMaxWaitOld) {
  Batch batch(1, 1000, milliseconds(100));
  TimePoint start{};
  EXPECT_FALSE(batch.due(start + milliseconds(500)));  // empty is never due
  EXPECT_EQ(batch.deadline(), TimePoint::max());
  batch.add_message("t", 0, 0, start);
  batch.add_message("t", 0, 1, start + milliseconds(90));
  EXPECT_FALSE(batch.due(start + milliseconds(99)));
  EXPECT_TRUE(batch.due(start + milliseconds(100)));
  EXPECT_EQ(batch.deadline(), start + milliseconds(100));
}

TEST(Batch, ClearForgetsRowsAndOffsets) {
  Batch batch(2, 10, milliseconds(100));
  batch.add_message("t", 0, 0, TimePoint{});
  batch.table(1).add(row("https://a/", 1, 1));
  batch.clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.table(1).empty());
  EXPECT_TRUE(batch.offsets().empty());
}

}  // namespace
}  // namespace hc::consumer
