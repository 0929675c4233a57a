#include "memory_release.h"

#include <gtest/gtest.h>

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

const TimePoint kStart{std::chrono::hours(1000)};
constexpr auto kPeriod = MemoryReleaseSchedule::kPeriod;

TEST(MemoryReleaseSchedule, TheFirstReleaseIsDueOnePeriodAfterTheStart) {
  MemoryReleaseSchedule schedule(kStart);
  EXPECT_FALSE(schedule.take_due(kStart));
  EXPECT_FALSE(schedule.take_due(kStart + kPeriod - milliseconds(1)));
  EXPECT_TRUE(schedule.take_due(kStart + kPeriod));
}

TEST(MemoryReleaseSchedule, AReleaseIsDueOnceAndTheNextOnePeriodAfterIt) {
  MemoryReleaseSchedule schedule(kStart);
  const TimePoint released_at = kStart + kPeriod + milliseconds(300);
  EXPECT_TRUE(schedule.take_due(released_at));
  EXPECT_FALSE(schedule.take_due(released_at));
  EXPECT_FALSE(schedule.take_due(released_at + kPeriod - milliseconds(1)));
  EXPECT_TRUE(schedule.take_due(released_at + kPeriod));
}

TEST(MemoryReleaseSchedule, ALateTurnMakesOneReleaseNotOnePerMissedPeriod) {
  MemoryReleaseSchedule schedule(kStart);
  const TimePoint late = kStart + 5 * kPeriod;
  EXPECT_TRUE(schedule.take_due(late));
  EXPECT_FALSE(schedule.take_due(late + milliseconds(1)));
  EXPECT_TRUE(schedule.take_due(late + kPeriod));
}

}  // namespace
}  // namespace hc::producer
