#include "retry_backoff.h"

#include <gtest/gtest.h>

namespace hc::notify {
namespace {

using std::chrono::milliseconds;

RetrySettings settings() {
  RetrySettings retry;
  retry.max_attempts = 5;
  retry.max_retry = milliseconds(10000);
  retry.initial_backoff = milliseconds(1000);
  retry.max_backoff = milliseconds(3000);
  return retry;
}

TEST(RetryBackoff, DoublesUpToTheCapScaledByJitter) {
  EXPECT_EQ(next_retry_delay(settings(), 1, milliseconds(0), 1.0), milliseconds(1000));
  EXPECT_EQ(next_retry_delay(settings(), 2, milliseconds(0), 1.0), milliseconds(2000));
  EXPECT_EQ(next_retry_delay(settings(), 3, milliseconds(0), 1.0), milliseconds(3000));
  EXPECT_EQ(next_retry_delay(settings(), 4, milliseconds(0), 1.0), milliseconds(3000));
  EXPECT_EQ(next_retry_delay(settings(), 2, milliseconds(0), 0.5), milliseconds(1000));
}

TEST(RetryBackoff, JitterNeverGoesBelowHalfTheStep) {
  EXPECT_EQ(next_retry_delay(settings(), 1, milliseconds(0), 0.0), milliseconds(500));
}

TEST(RetryBackoff, GivesUpAtMaxAttempts) {
  EXPECT_EQ(next_retry_delay(settings(), 5, milliseconds(0), 1.0), std::nullopt);
}

TEST(RetryBackoff, GivesUpWhenTheNextAttemptWouldStartPastMaxRetry) {
  EXPECT_EQ(next_retry_delay(settings(), 2, milliseconds(8000), 1.0), milliseconds(2000));
  EXPECT_EQ(next_retry_delay(settings(), 2, milliseconds(8001), 1.0), std::nullopt);
}

TEST(RetryBackoff, LargeAttemptCountsDoNotOverflow) {
  RetrySettings retry = settings();
  retry.max_attempts = 100;
  retry.max_retry = milliseconds(1'000'000'000);
  EXPECT_EQ(next_retry_delay(retry, 99, milliseconds(0), 1.0), milliseconds(3000));
}

}  // namespace
}  // namespace hc::notify
