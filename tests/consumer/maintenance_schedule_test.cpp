// next_maintenance_delay: the consumer's upkeep runs every interval and shortly after each UTC
// hour begins, so the hour that ended is closed within kHourCloseDelay.
#include <gtest/gtest.h>

#include <chrono>

#include "hc/common/message.h"
#include "maintenance_thread.h"

namespace hc::consumer {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-12-05T10:00:00Z.
const WallTime kTen = WallTime(seconds(1'796'464'800));

TEST(MaintenanceSchedule, RunsAtTheIntervalOrJustAfterTheNextHourBeginsWhicheverIsFirst) {
  struct Case {
    microseconds after_ten;  // when the last run ended
    seconds interval;
    microseconds expected;
  };
  const Case cases[] = {
      // Mid-hour: the interval.
      {minutes(20), seconds(300), seconds(300)},
      // The interval would pass the hour: 30 s after it instead.
      {minutes(58), seconds(300), minutes(2) + kHourCloseDelay},
      {minutes(59) + seconds(59), seconds(300), seconds(1) + kHourCloseDelay},
      // An interval ending before the hour's close comes first.
      {minutes(58), seconds(60), seconds(60)},
      // Just after the hour began, before its close: the close.
      {seconds(10), seconds(300), kHourCloseDelay - seconds(10)},
      {microseconds(0), seconds(300), kHourCloseDelay},
      // Once past the close: the interval again, or the next hour's close.
      {kHourCloseDelay, seconds(300), seconds(300)},
      {seconds(31), seconds(86400), hours(1) - seconds(1)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(next_maintenance_delay(kTen + c.after_ten, c.interval), c.expected)
        << "ended " << c.after_ten.count() << " µs after 10:00, interval " << c.interval.count();
  }
}

}  // namespace
}  // namespace hc::consumer
