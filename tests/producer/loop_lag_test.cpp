// LoopLag (loop_lag.h): the longest busy span or late wake-up since a check's mark, on made-up
// time points; then through the CheckRunner, whose timings a busy loop inflates.
#include "loop_lag.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "check_runner.h"
#include "hc/test/local_tcp_server.h"
#include "run_queue_time.h"
#include "site_plan.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;
using TimePoint = LoopLag::TimePoint;

constexpr TimePoint at(int ms) { return TimePoint(milliseconds(ms)); }

// One turn: the loop waits from `wait_from` to `wait_to` (ended by activity).
void turn(LoopLag& lag, int wait_from, int wait_to) {
  lag.wait_begins(at(wait_from));
  lag.wait_ended(at(wait_to), at(wait_to + 1000), false);
}

TEST(LoopLag, IsZeroOnALoopThatOnlyWaits) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark();
  turn(lag, 0, 10);
  turn(lag, 10, 20);
  EXPECT_EQ(lag.longest_since(mark, at(20)), milliseconds(0));
}

TEST(LoopLag, IsTheLongestBusySpanSinceTheMark) {
  LoopLag lag;
  turn(lag, 0, 10);
  lag.wait_begins(at(50));  // busy 10..50: before the mark below
  lag.wait_ended(at(60), at(1000), false);
  const LoopLag::Mark mark = lag.mark();
  lag.wait_begins(at(65));  // busy 60..65: the busy span in progress at the mark counts
  lag.wait_ended(at(70), at(1000), false);
  lag.wait_begins(at(82));  // busy 70..82
  lag.wait_ended(at(90), at(1000), false);
  lag.wait_begins(at(93));  // busy 90..93
  lag.wait_ended(at(100), at(1000), false);
  EXPECT_EQ(lag.longest_since(mark, at(101)), milliseconds(12));
  EXPECT_EQ(lag.longest_since(0, at(101)), milliseconds(40)) << "from the start";
  EXPECT_EQ(lag.longest_since(lag.mark(), at(101)), milliseconds(1)) << "the span in progress";
  EXPECT_EQ(lag.longest_since(lag.mark(), at(130)), milliseconds(30));
}

TEST(LoopLag, ATimedWaitThatEndsLateCountsItsLateness) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark();
  lag.wait_begins(at(0));
  lag.wait_ended(at(125), at(100), true);  // asked to wake at 100: the thread had no CPU
  lag.wait_begins(at(126));
  lag.wait_ended(at(200), at(200), true);  // on time
  EXPECT_EQ(lag.longest_since(mark, at(200)), milliseconds(25));
}

// A wait that ended on activity, after which the kernel kept the thread 7 ms in its run queue.
TEST(LoopLag, TimeWithoutACpuAfterAWaitCounts) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark();
  lag.wait_begins(at(0));
  lag.wait_ended(at(50), at(100), false, milliseconds(7));
  lag.wait_begins(at(51));
  EXPECT_EQ(lag.longest_since(mark, at(51)), milliseconds(7));
}

// Where the kernel keeps scheduler statistics (Linux with schedstat), the run-queue time is
// read and never goes back.
TEST(RunQueueTime, IsReadAndNeverDecreases) {
  const RunQueueTime run_queue;
  const std::optional<std::chrono::nanoseconds> first = run_queue.read();
  if (!first) GTEST_SKIP() << "no /proc/thread-self/schedstat here";
  for (volatile int spin = 0; spin < 1'000'000; spin = spin + 1) {
  }
  const std::optional<std::chrono::nanoseconds> second = run_queue.read();
  ASSERT_TRUE(second);
  EXPECT_GE(*second, *first);
}

TEST(LoopLag, ForgetsSpansOlderThanTheHorizon) {
  LoopLag lag(milliseconds(1000));
  const LoopLag::Mark mark = lag.mark();
  lag.wait_ended(at(0), at(0), false);
  lag.wait_begins(at(300));  // busy 0..300
  lag.wait_ended(at(1200), at(2000), false);
  lag.wait_begins(at(1210));  // busy 1200..1210
  lag.wait_ended(at(1400), at(2000), false);
  EXPECT_EQ(lag.longest_since(mark, at(1400)), milliseconds(300));
  lag.wait_begins(at(1405));  // busy 1400..1405: the 300 ms span ended more than 1 s before
  EXPECT_EQ(lag.longest_since(mark, at(1405)), milliseconds(10));
}

// A spell of 60 ms in which the loop does not wait (as a slow verdict or publish would) while
// a tcp check is in flight: the check's lag says so, and the busy spell counts once.
TEST(LoopLag, ABusyLoopShowsInTheLagOfTheChecksInFlight) {
  test::TcpServer server([](int fd) { test::hold_open(fd, milliseconds(500)); });
  SiteConfig config;
  config.url = "tcp://127.0.0.1:" + std::to_string(server.port());
  config.check_type = CheckType::kTcp;
  config.destination_topic = "t";
  config.timeout = milliseconds(5000);
  SitePlans plans = build_site_plans({config}, std::nullopt);
  CheckRunner runner;
  runner.run_once(milliseconds(0));
  const LoopLag::Mark mark = runner.loop_lag().mark();
  std::optional<CheckResult> result;
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  std::this_thread::sleep_for(milliseconds(60));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) runner.run_once(milliseconds(100));
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->transport_error) << result->error_detail;
  EXPECT_GE(runner.loop_lag().longest_since(mark, std::chrono::steady_clock::now()),
            milliseconds(60));

  // A check that starts after the spell on a loop that only waits has a smaller lag.
  for (int i = 0; i < 3; ++i) runner.run_once(milliseconds(1));
  const LoopLag::Mark later = runner.loop_lag().mark();
  result.reset();
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  while (!result && std::chrono::steady_clock::now() < give_up) runner.run_once(milliseconds(100));
  ASSERT_TRUE(result);
  EXPECT_LT(runner.loop_lag().longest_since(later, std::chrono::steady_clock::now()),
            milliseconds(60));
}

}  // namespace
}  // namespace hc::producer
