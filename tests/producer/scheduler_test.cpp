#include "scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hc/test/fake_clock.h"
#include "site_hash.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ScheduledSite site(const std::string& url, std::chrono::milliseconds interval) {
  return ScheduledSite{site_key(url), interval, site_hash(url)};
}

std::vector<ScheduledSite> sites(int count, std::chrono::milliseconds interval) {
  std::vector<ScheduledSite> list;
  list.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    list.push_back(site("http://127.0.0.1/?i=" + std::to_string(i), interval));
  return list;
}

// True if there are at least min_runs deadlines, each one interval after the previous.
bool on_grid(const std::vector<TimePoint>& deadlines, std::chrono::milliseconds interval,
             std::size_t min_runs) {
  if (deadlines.size() < min_runs) return false;
  for (std::size_t i = 1; i < deadlines.size(); ++i) {
    if (deadlines[i] - deadlines[i - 1] != interval) return false;
  }
  return true;
}

// Starts everything due now and finishes it at once; returns the started sites.
std::vector<Start> start_all_due(Scheduler& scheduler) {
  std::vector<Start> started;
  while (auto start = scheduler.next_start()) started.push_back(*start);
  for (const Start& start : started) scheduler.finished(start.site);
  return started;
}

TEST(Scheduler, FirstRunsAreSpreadOverTheInterval) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 100000);
  scheduler.replace_sites(sites(1000, seconds(10)));

  // Step through the first interval one second at a time: every site starts exactly once,
  // and each second gets roughly a tenth of them (not all at once at t=0).
  std::vector<int> per_second;
  int total = 0;
  for (int second = 0; second < 10; ++second) {
    clock.advance(seconds(1));
    int started = static_cast<int>(start_all_due(scheduler).size());
    per_second.push_back(started);
    total += started;
  }
  EXPECT_EQ(total, 1000);
  for (int count : per_second) {
    EXPECT_GT(count, 50) << "first runs bunch up";
    EXPECT_LT(count, 150) << "first runs bunch up";
  }
}

TEST(Scheduler, FirstRunOffsetIsTheSameAfterARestart) {
  test::FakeClock clock;
  Scheduler first(clock, 10);
  Scheduler second(clock, 10);
  first.replace_sites({site("http://127.0.0.1/a", seconds(60))});
  second.replace_sites({site("http://127.0.0.1/a", seconds(60))});
  EXPECT_EQ(first.next_wakeup(), second.next_wakeup());
}

TEST(Scheduler, NextDeadlineIsPreviousPlusIntervalNoDrift) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  scheduler.replace_sites({site("http://127.0.0.1/", seconds(5))});
  const TimePoint first = *scheduler.next_wakeup();

  // Each run starts 300 ms late and its check takes 2 s; deadlines still stay on the
  // 5 s grid of the first one.
  for (int run = 0; run < 20; ++run) {
    clock.advance(*scheduler.next_wakeup() - clock.now() + milliseconds(300));
    auto start = scheduler.next_start();
    ASSERT_TRUE(start.has_value());
    EXPECT_EQ(start->deadline, first + run * seconds(5));
    EXPECT_EQ(start->lateness, milliseconds(300));
    clock.advance(seconds(2));
    scheduler.finished(start->site);
  }
  EXPECT_EQ(*scheduler.next_wakeup(), first + 20 * seconds(5));
  EXPECT_EQ(scheduler.counters().skipped_in_flight + scheduler.counters().skipped_late, 0u);
}

TEST(Scheduler, LateCheckIsSkippedNotDoubled) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  scheduler.replace_sites({site("http://127.0.0.1/slow", seconds(1))});
  clock.advance(*scheduler.next_wakeup() - clock.now());
  auto first = scheduler.next_start();
  ASSERT_TRUE(first.has_value());

  // The check is still running at its next deadline (and the one after): no second start.
  clock.advance(milliseconds(1000));
  EXPECT_FALSE(scheduler.next_start().has_value());
  clock.advance(milliseconds(1000));
  EXPECT_FALSE(scheduler.next_start().has_value());
  EXPECT_EQ(scheduler.counters().skipped_in_flight, 2u);
  EXPECT_EQ(scheduler.in_flight(), 1u);

  // Once it finishes, the site runs again at its next deadline on the original grid.
  clock.advance(milliseconds(500));
  scheduler.finished(first->site);
  EXPECT_FALSE(scheduler.next_start().has_value());
  EXPECT_EQ(*scheduler.next_wakeup(), first->deadline + seconds(3));
  clock.advance(milliseconds(500));
  auto second = scheduler.next_start();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->deadline, first->deadline + seconds(3));
  EXPECT_EQ(scheduler.counters().starts, 2u);
}

TEST(Scheduler, StartMoreThanAnIntervalLateSkipsForward) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  scheduler.replace_sites({site("http://127.0.0.1/", seconds(1))});
  const TimePoint first = *scheduler.next_wakeup();

  // The loop was stalled for 3.5 s: one start (3.5 s late), the 3 runs it overlapped are
  // counted as skipped, and the next deadline is the next point of the grid.
  clock.advance(first - clock.now() + milliseconds(3500));
  auto start = scheduler.next_start();
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->lateness, milliseconds(3500));
  EXPECT_FALSE(scheduler.next_start().has_value());
  EXPECT_EQ(scheduler.counters().skipped_late, 3u);
  EXPECT_EQ(*scheduler.next_wakeup(), first + seconds(4));
}

TEST(Scheduler, ConcurrencyBoundDefersStarts) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 2);
  // Three sites due at the same moment (same spread hash).
  scheduler.replace_sites({ScheduledSite{site_key("a"), seconds(10), 7},
                           ScheduledSite{site_key("b"), seconds(10), 7},
                           ScheduledSite{site_key("c"), seconds(10), 7}});
  clock.advance(seconds(1));
  auto a = scheduler.next_start();
  auto b = scheduler.next_start();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(scheduler.next_start().has_value()) << "a third check would exceed the bound";
  EXPECT_FALSE(scheduler.next_wakeup().has_value()) << "only a finished check frees a slot";

  clock.advance(milliseconds(250));
  scheduler.finished(a->site);
  auto c = scheduler.next_start();
  ASSERT_TRUE(c.has_value());
  // Due at t0 + 7 us (7 % 10 s), started 1.25 s after t0.
  EXPECT_EQ(c->lateness, seconds(1) + milliseconds(250) - std::chrono::microseconds(7));
  EXPECT_EQ(scheduler.counters().deferred_by_bound, 1u);
  EXPECT_EQ(scheduler.in_flight(), 2u);
}

TEST(Scheduler, ReplacingSitesKeepsScheduleOfUnchanged) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  auto ids = scheduler.replace_sites(
      {site("kept", seconds(10)), site("removed", seconds(10)), site("retimed", seconds(10))});
  // Run everything once so deadlines are on their grids, and leave "removed" in flight.
  clock.advance(seconds(10));
  std::map<SiteId, TimePoint> deadlines;
  while (auto start = scheduler.next_start()) {
    deadlines[start->site] = start->deadline;
    if (start->site != ids[1]) scheduler.finished(start->site);
  }
  ASSERT_EQ(deadlines.size(), 3u);
  clock.advance(milliseconds(1234));

  auto new_ids = scheduler.replace_sites(
      {site("kept", seconds(10)), site("retimed", seconds(20)), site("added", seconds(10))});
  EXPECT_EQ(new_ids[0], ids[0]) << "an unchanged site keeps its identity";
  EXPECT_EQ(new_ids[1], ids[2]);
  EXPECT_NE(new_ids[2], ids[1]) << "ids are never reused";
  EXPECT_FALSE(scheduler.is_scheduled(ids[1]));
  EXPECT_EQ(scheduler.size(), 3u);
  EXPECT_EQ(scheduler.in_flight(), 1u) << "the removed site's check still holds its slot";

  // Walk 40 s ahead and collect every start: "kept" stays on its old 10 s grid, "removed"
  // never runs again, "retimed" and "added" run at their new intervals.
  std::map<SiteId, std::vector<TimePoint>> runs;
  for (int step = 0; step < 400; ++step) {
    clock.advance(milliseconds(100));
    for (const Start& start : start_all_due(scheduler)) runs[start.site].push_back(start.deadline);
  }
  ASSERT_GE(runs[ids[0]].size(), 3u);
  for (std::size_t i = 0; i < runs[ids[0]].size(); ++i) {
    EXPECT_EQ(runs[ids[0]][i], deadlines[ids[0]] + static_cast<int>(i + 1) * seconds(10));
  }
  EXPECT_TRUE(runs[ids[1]].empty());
  EXPECT_TRUE(on_grid(runs[new_ids[1]], seconds(20), 1));
  EXPECT_TRUE(on_grid(runs[new_ids[2]], seconds(10), 3));

  scheduler.finished(ids[1]);
  EXPECT_EQ(scheduler.in_flight(), 0u);
}

}  // namespace
}  // namespace hc::producer

namespace hc::producer {
namespace {

// A start names the site's next deadline (what retries must end before), also when the start
// was late and runs were skipped.
TEST(Scheduler, AStartNamesTheSitesNextDeadline) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  scheduler.replace_sites({ScheduledSite{site_key("a"), seconds(10), 0}});
  auto first = scheduler.next_start();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->next_deadline, first->deadline + seconds(10));
  scheduler.finished(first->site);

  clock.advance(seconds(25));  // the run due at +10 s starts 15 s late; +20 s is skipped
  auto late = scheduler.next_start();
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->deadline, first->deadline + seconds(10));
  EXPECT_EQ(late->next_deadline, first->deadline + seconds(30));
}

// A start names where the site is in the last list given, where the caller keeps what its
// check needs; a new list moves it.
TEST(Scheduler, AStartNamesTheSitesPositionInTheLastList) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  const std::vector<SiteId> ids = scheduler.replace_sites(
      {site("http://127.0.0.1/a", seconds(10)), site("http://127.0.0.1/b", seconds(10))});
  clock.advance(seconds(10));
  std::vector<Start> started = start_all_due(scheduler);
  ASSERT_EQ(started.size(), 2u);
  for (const Start& start : started) EXPECT_EQ(ids.at(start.index), start.site);

  const std::vector<SiteId> again = scheduler.replace_sites(
      {site("http://127.0.0.1/c", seconds(10)), site("http://127.0.0.1/b", seconds(10)),
       site("http://127.0.0.1/a", seconds(10))});
  EXPECT_EQ(again[1], ids[1]);
  EXPECT_EQ(again[2], ids[0]);
  clock.advance(seconds(10));
  started = start_all_due(scheduler);
  ASSERT_EQ(started.size(), 3u);
  for (const Start& start : started) EXPECT_EQ(again.at(start.index), start.site);
}

// A key given twice is two sites; across lists the n-th occurrence keeps the n-th's schedule.
TEST(Scheduler, ARepeatedKeyIsTwoSitesEachKeepingItsIdentity) {
  test::FakeClock clock;
  Scheduler scheduler(clock, 10);
  const std::vector<SiteId> ids = scheduler.replace_sites(
      {site("http://127.0.0.1/twice", seconds(10)), site("http://127.0.0.1/once", seconds(10)),
       site("http://127.0.0.1/twice", seconds(10))});
  EXPECT_EQ(scheduler.size(), 3u);
  EXPECT_NE(ids[0], ids[2]);
  clock.advance(seconds(10));
  EXPECT_EQ(start_all_due(scheduler).size(), 3u) << "both occurrences run";

  const std::vector<SiteId> again = scheduler.replace_sites(
      {site("http://127.0.0.1/twice", seconds(10)), site("http://127.0.0.1/twice", seconds(10)),
       site("http://127.0.0.1/once", seconds(10))});
  EXPECT_EQ(again, (std::vector<SiteId>{ids[0], ids[2], ids[1]}));

  const std::vector<SiteId> once = scheduler.replace_sites(
      {site("http://127.0.0.1/once", seconds(10)), site("http://127.0.0.1/twice", seconds(10))});
  EXPECT_EQ(once, (std::vector<SiteId>{ids[1], ids[0]}));
  EXPECT_FALSE(scheduler.is_scheduled(ids[2]));
}

TEST(Scheduler, ASiteTakenOverByAnotherProducerKeepsItsWallClockPhase) {
  // Producer A checks the site on its grid; producer B, started 3.7 s later (another clock
  // origin), takes it over: its first run falls on A's grid, a whole interval after A's last.
  test::FakeClock clock_a(WallTime(std::chrono::hours(1000)));
  Scheduler a(clock_a, 10);
  a.replace_sites({site("http://127.0.0.1/moved", seconds(5))});
  std::vector<WallTime> a_runs;
  for (int step = 0; step < 120; ++step) {
    clock_a.advance(milliseconds(100));
    for (std::size_t i = 0; i < start_all_due(a).size(); ++i) a_runs.push_back(clock_a.wall_now());
  }
  ASSERT_GE(a_runs.size(), 2U);

  test::FakeClock clock_b(clock_a.wall_now() + milliseconds(3700));
  Scheduler b(clock_b, 10);
  b.replace_sites({site("http://127.0.0.1/moved", seconds(5))});
  std::optional<WallTime> b_first;
  for (int step = 0; step < 60 && !b_first; ++step) {
    clock_b.advance(milliseconds(100));
    if (!start_all_due(b).empty()) b_first = clock_b.wall_now();
  }
  ASSERT_TRUE(b_first);
  const auto since_a = *b_first - a_runs.back();
  EXPECT_GE(since_a, seconds(5));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(since_a).count() % 5000, 0)
      << "B runs the site on A's grid";
}

}  // namespace
}  // namespace hc::producer
