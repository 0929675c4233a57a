#include "retry_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

const TimePoint kNow{std::chrono::hours(1000)};

struct RetryCase {
  std::string name;
  RetryPolicy policy;
  AttemptEnd attempt;
  std::optional<TimePoint> expected;
};

// Interval 10 s, deadline of this check at kNow - 1 s: next deadline kNow + 9 s.
std::vector<RetryCase> retry_cases() {
  const TimePoint next = kNow + milliseconds(9000);
  const RetryPolicy two{2, milliseconds(500), milliseconds(3000)};
  return {
      {"HealthyIsNeverRetried", two, {true, 1, kNow, next}, std::nullopt},
      {"FirstFailureIsRetriedAfterTheDelay", two, {false, 1, kNow, next}, kNow + milliseconds(500)},
      {"SecondFailureUsesTheLastRetry", two, {false, 2, kNow, next}, kNow + milliseconds(500)},
      {"RetriesUsedUp", two, {false, 3, kNow, next}, std::nullopt},
      {"NoRetriesConfigured",
       {0, milliseconds(500), milliseconds(3000)},
       {false, 1, kNow, next},
       std::nullopt},
      {"RetryEndingExactlyAtTheNextDeadlineIsMade",
       two,
       {false, 1, next - milliseconds(3500), next},
       next - milliseconds(3000)},
      {"RetryThatCouldRunOneMillisecondPastTheNextDeadlineIsNotMade",
       two,
       {false, 1, next - milliseconds(3499), next},
       std::nullopt},
      {"DelayAloneReachingTheNextDeadlineIsNotMade",
       {5, milliseconds(10000), milliseconds(1)},
       {false, 1, kNow, next},
       std::nullopt},
      {"ZeroDelayRetriesAtOnce",
       {1, milliseconds(0), milliseconds(3000)},
       {false, 1, kNow, next},
       kNow},
      {"AttemptEndingAfterTheNextDeadlineIsNotRetried",
       two,
       {false, 1, next + milliseconds(1), next},
       std::nullopt},
  };
}

// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
void PrintTo(const RetryCase& retry_case, std::ostream* out) { *out << retry_case.name; }

class RetryPolicyTest : public ::testing::TestWithParam<RetryCase> {};

TEST_P(RetryPolicyTest, DecidesTheRetry) {
  const RetryCase& c = GetParam();
  const std::optional<TimePoint> got = retry_start(c.policy, c.attempt);
  ASSERT_EQ(got.has_value(), c.expected.has_value());
  if (got) {
    EXPECT_EQ(*got, *c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RetryPolicyTest, ::testing::ValuesIn(retry_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hc::producer
