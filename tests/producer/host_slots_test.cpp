// The per-host limit's slots (host_slots.h): taken up to the limit, then queued first come
// first served over the loops, handed over on release with the waiting loop woken.
#include "host_slots.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hc::producer {
namespace {

TEST(HostSlots, TakesUpToTheLimitThenQueues) {
  HostSlots slots(1);
  EXPECT_TRUE(slots.acquire("a.test", 2, 0));
  EXPECT_TRUE(slots.acquire("a.test", 2, 0));
  EXPECT_FALSE(slots.acquire("a.test", 2, 0));
  EXPECT_TRUE(slots.acquire("b.test", 2, 0)) << "another host has its own slots";
  EXPECT_EQ(slots.taken("a.test"), 2U);
}

TEST(HostSlots, AReleasedSlotGoesToTheFirstWaiterAndWakesItsLoop) {
  HostSlots slots(2);
  int woken[2] = {0, 0};
  slots.set_waker(0, [&] { ++woken[0]; });
  slots.set_waker(1, [&] { ++woken[1]; });
  ASSERT_TRUE(slots.acquire("a.test", 1, 0));
  EXPECT_FALSE(slots.acquire("a.test", 1, 1));
  EXPECT_FALSE(slots.acquire("a.test", 1, 0));
  slots.release("a.test");
  EXPECT_EQ(woken[1], 1);
  EXPECT_EQ(woken[0], 0);
  EXPECT_EQ(slots.take_granted(1), std::vector<std::string>{"a.test"});
  EXPECT_TRUE(slots.take_granted(0).empty());
  EXPECT_EQ(slots.taken("a.test"), 1U) << "handed over, not freed";
  slots.release("a.test");
  EXPECT_EQ(slots.take_granted(0), std::vector<std::string>{"a.test"});
  slots.release("a.test");
  EXPECT_EQ(slots.taken("a.test"), 0U);
}

TEST(HostSlots, ANewcomerDoesNotOvertakeTheQueue) {
  HostSlots slots(2);
  ASSERT_TRUE(slots.acquire("a.test", 2, 0));
  ASSERT_TRUE(slots.acquire("a.test", 2, 0));
  ASSERT_FALSE(slots.acquire("a.test", 1, 1));  // waits for fewer than 1 taken
  slots.release("a.test");                      // 1 taken: still not below 1
  EXPECT_TRUE(slots.take_granted(1).empty());
  EXPECT_FALSE(slots.acquire("a.test", 2, 0)) << "loop 1 waits first";
  slots.release("a.test");
  EXPECT_EQ(slots.take_granted(1), std::vector<std::string>{"a.test"});
}

TEST(HostSlots, AWithdrawnWaiterGetsNothing) {
  HostSlots slots(2);
  ASSERT_TRUE(slots.acquire("a.test", 1, 0));
  ASSERT_FALSE(slots.acquire("a.test", 1, 1));
  EXPECT_TRUE(slots.withdraw("a.test", 1));
  slots.release("a.test");
  EXPECT_TRUE(slots.take_granted(1).empty());
  EXPECT_EQ(slots.taken("a.test"), 0U);
}

TEST(HostSlots, WithdrawingAfterTheHandOverSaysSo) {
  HostSlots slots(2);
  ASSERT_TRUE(slots.acquire("a.test", 1, 0));
  ASSERT_FALSE(slots.acquire("a.test", 1, 1));
  slots.release("a.test");
  EXPECT_FALSE(slots.withdraw("a.test", 1)) << "the slot is in loop 1's take_granted()";
  EXPECT_EQ(slots.take_granted(1), std::vector<std::string>{"a.test"});
}

}  // namespace
}  // namespace hc::producer
