#include "delivery_tracker.h"

#include <gtest/gtest.h>

namespace hc::notify {
namespace {

const PartitionId kP{"healthcheck.events", 0};

TEST(DeliveryTracker, CommitsOnlyBelowTheFirstEventSomeChannelOwes) {
  DeliveryTracker tracker({"hook", "chat"});
  tracker.assign(kP, -1, {});
  EXPECT_EQ(tracker.add(kP, 10, {0, 1}), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(tracker.add(kP, 11, {0, 1}), (std::vector<std::size_t>{0, 1}));
  tracker.complete(kP, 10, 1);
  tracker.complete(kP, 11, 1);
  auto commits = tracker.take_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 10);  // hook still owes 10 and 11
  EXPECT_EQ(commits[0].metadata, "hc-notify/1 chat=12");
  EXPECT_EQ(tracker.pending(), 2u);
  tracker.complete(kP, 10, 0);
  tracker.complete(kP, 11, 0);
  commits = tracker.take_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 12);
  EXPECT_EQ(commits[0].metadata, "hc-notify/1");
  EXPECT_TRUE(tracker.take_commits().empty());  // nothing moved
  EXPECT_EQ(tracker.pending(), 0u);
}

TEST(DeliveryTracker, UnroutedEventsAreCompleteAtOnce) {
  DeliveryTracker tracker({"hook"});
  tracker.assign(kP, 5, {});
  EXPECT_TRUE(tracker.add(kP, 5, {}).empty());
  auto commits = tracker.all_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 6);
}

TEST(DeliveryTracker, RestoredMarksSkipWhatAChannelAlreadyDelivered) {
  DeliveryTracker tracker({"hook", "chat"});
  tracker.assign(kP, 10, decode_marks("hc-notify/1 chat=12"));
  EXPECT_EQ(tracker.add(kP, 10, {0, 1}), (std::vector<std::size_t>{0}));
  EXPECT_EQ(tracker.add(kP, 11, {0, 1}), (std::vector<std::size_t>{0}));
  EXPECT_EQ(tracker.add(kP, 12, {0, 1}), (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(tracker.needed(kP, 10, 0));
  EXPECT_FALSE(tracker.needed(kP, 10, 1));
  // chat's mark stays where it was until it completes 12.
  EXPECT_EQ(tracker.all_commits()[0].metadata, "hc-notify/1 chat=12");
}

TEST(DeliveryTracker, RevokedPartitionsNeedNothingAndIgnoreCompletions) {
  DeliveryTracker tracker({"hook"});
  tracker.assign(kP, 0, {});
  tracker.add(kP, 0, {0});
  tracker.revoke(kP);
  EXPECT_FALSE(tracker.needed(kP, 0, 0));
  tracker.complete(kP, 0, 0);
  EXPECT_TRUE(tracker.all_commits().empty());
  EXPECT_EQ(tracker.pending(), 0u);
}

TEST(DeliveryTracker, MarksRoundTripAndForeignMetadataIsIgnored) {
  EXPECT_EQ(decode_marks(encode_marks({{"a", 5}, {"b.c-d", 9}}, 4)),
            (ChannelMarks{{"a", 5}, {"b.c-d", 9}}));
  EXPECT_EQ(encode_marks({{"a", 5}, {"b", 3}}, 4), "hc-notify/1 a=5");
  EXPECT_TRUE(decode_marks("").empty());
  EXPECT_TRUE(decode_marks("something else").empty());
  EXPECT_TRUE(decode_marks("hc-notify/1 a=x").empty());
}

}  // namespace
}  // namespace hc::notify
