// LoopLag (loop_lag.h): the busy spans and late wake-ups since a check's mark, added up, on
// made-up time points; then through the CheckRunner, whose timings a busy loop inflates.
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

// The plans of one tcp check of 127.0.0.1:`port` (5 s timeout); `send` and `expect`, when
// given, make it a two-step check (send a line, read the reply).
SitePlans tcp_site(int port, const char* send = nullptr, const char* expect = nullptr) {
  SiteConfig config;
  config.url = "tcp://127.0.0.1:" + std::to_string(port);
  config.check_type = CheckType::kTcp;
  if (send != nullptr) config.send = send;
  if (expect != nullptr) config.expect = expect;
  config.destination_topic = "t";
  config.timeout = milliseconds(5000);
  return build_site_plans({config}, std::nullopt);
}

TEST(LoopLag, IsZeroOnALoopThatOnlyWaits) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark(at(0));
  turn(lag, 0, 10);
  turn(lag, 10, 20);
  EXPECT_EQ(lag.busy_since(mark, at(20)), milliseconds(0));
}

// Busy time before the check started is not its: the span in progress at the mark counts from
// the mark on, the spans before it not at all.
TEST(LoopLag, CountsOnlyTheBusyTimeAfterTheMark) {
  LoopLag lag;
  turn(lag, 0, 10);
  lag.wait_begins(at(50));  // busy 10..50: before the mark below
  lag.wait_ended(at(60), at(1000), false);
  const LoopLag::Mark mark = lag.mark(at(62));
  lag.wait_begins(at(65));  // busy 60..65, of which 62..65 after the mark
  lag.wait_ended(at(70), at(1000), false);
  EXPECT_EQ(lag.busy_since(mark, at(70)), milliseconds(3));
  EXPECT_EQ(lag.busy_since(mark, at(74)), milliseconds(7)) << "with the span in progress";
  EXPECT_EQ(lag.busy_since(lag.mark(at(74)), at(80)), milliseconds(6));
}

// A check's events come one after another (its request goes out once its connect is seen), and
// each may wait through another busy span: the loop's share of its timings is the sum of the
// spans while it ran, not the longest.
TEST(LoopLag, AddsUpEveryBusySpanWhileTheCheckRuns) {
  LoopLag lag;
  turn(lag, 0, 10);
  const LoopLag::Mark mark = lag.mark(at(10));
  lag.wait_begins(at(15));  // busy 10..15
  lag.wait_ended(at(20), at(1000), false);
  lag.wait_begins(at(32));  // busy 20..32
  lag.wait_ended(at(40), at(1000), false);
  lag.wait_begins(at(43));  // busy 40..43
  lag.wait_ended(at(50), at(1000), false);
  EXPECT_EQ(lag.busy_since(mark, at(52)), milliseconds(5 + 12 + 3 + 2));
}

TEST(LoopLag, ATimedWaitThatEndsLateCountsItsLateness) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark(at(0));
  lag.wait_begins(at(0));
  lag.wait_ended(at(125), at(100), true);  // asked to wake at 100: the thread had no CPU
  lag.wait_begins(at(125));
  lag.wait_ended(at(200), at(200), true);  // on time
  EXPECT_EQ(lag.busy_since(mark, at(200)), milliseconds(25));
}

// A wait that ended on activity, after which the kernel kept the thread 7 ms in its run queue.
TEST(LoopLag, TimeWithoutACpuAfterAWaitCounts) {
  LoopLag lag;
  const LoopLag::Mark mark = lag.mark(at(0));
  lag.wait_begins(at(0));
  lag.wait_ended(at(50), at(100), false, milliseconds(7));
  lag.wait_begins(at(51));
  EXPECT_EQ(lag.busy_since(mark, at(51)), milliseconds(7 + 1));
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

// A spell of 60 ms in which the loop does not wait (as a slow verdict or publish would) while
// a tcp check is in flight: the check's lag says so.
TEST(LoopLag, ABusyLoopShowsInTheLagOfTheChecksInFlight) {
  test::TcpServer server([](int fd) { test::hold_open(fd, milliseconds(500)); });
  SitePlans plans = tcp_site(server.port());
  CheckRunner runner;
  runner.run_once(milliseconds(0));
  const LoopLag::Mark mark = runner.loop_lag().mark(std::chrono::steady_clock::now());
  std::optional<CheckResult> result;
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  std::this_thread::sleep_for(milliseconds(60));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) runner.run_once(milliseconds(100));
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->transport_error) << result->error_detail;
  EXPECT_GE(runner.loop_lag().busy_since(mark, std::chrono::steady_clock::now()), milliseconds(60));

  // A check that starts after the spell on a loop that only waits has a smaller lag.
  for (int i = 0; i < 3; ++i) runner.run_once(milliseconds(1));
  const LoopLag::Mark later = runner.loop_lag().mark(std::chrono::steady_clock::now());
  result.reset();
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  while (!result && std::chrono::steady_clock::now() < give_up) runner.run_once(milliseconds(100));
  ASSERT_TRUE(result);
  EXPECT_LT(runner.loop_lag().busy_since(later, std::chrono::steady_clock::now()),
            milliseconds(60));
}

// A tcp check that sends a line and waits for the reply has two steps, and the loop is busy
// 40 ms before each: after its connect (so the line goes out late) and after the reply came
// (so it is read late). Both delays are in its timings, and both are in its lag.
TEST(LoopLag, ACheckDelayedTwiceShowsBothDelays) {
  test::TcpServer server([](int fd) {
    std::string line;
    char byte = 0;
    while (line.find('\n') == std::string::npos && ::recv(fd, &byte, 1, 0) == 1) line += byte;
    test::send_all(fd, "pong\n");
    test::hold_open(fd, milliseconds(2000));
  });
  SitePlans plans = tcp_site(server.port(), "ping\n", "^pong");
  CheckRunner runner;
  runner.run_once(milliseconds(0));
  const LoopLag::Mark mark = runner.loop_lag().mark(std::chrono::steady_clock::now());
  std::optional<CheckResult> result;
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  std::this_thread::sleep_for(milliseconds(40));  // busy: the connect is seen late
  runner.run_once(milliseconds(0));               // sends the line
  std::this_thread::sleep_for(milliseconds(40));  // busy: the reply is read late
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) runner.run_once(milliseconds(100));
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->transport_error) << result->error_detail;
  EXPECT_GE(runner.loop_lag().busy_since(mark, std::chrono::steady_clock::now()), milliseconds(80));
}

}  // namespace
}  // namespace hc::producer
