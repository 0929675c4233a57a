// The site set folded from a compacted stream: what each record does.
#include "hc/common/site_set.h"

#include <gtest/gtest.h>

namespace hc {
namespace {

constexpr const char* kA = "http://127.0.0.1/a";
constexpr const char* kB = "http://127.0.0.1/b";

TEST(SiteSet, AddChangeTombstoneReAdd) {
  SiteSet set;
  EXPECT_EQ(set.apply(0, 0, kA, R"({"regex":"x"})"), SiteChange::kAdded);
  EXPECT_EQ(set.apply(0, 1, kA, R"({"regex":"y"})"), SiteChange::kChanged);
  EXPECT_EQ(set.sites().at(kA).value, R"({"regex":"y"})");
  EXPECT_EQ(set.sites().at(kA).offset, 1);
  EXPECT_EQ(set.apply(0, 2, kA, std::nullopt), SiteChange::kRemoved);
  EXPECT_EQ(set.size(), 0U);
  EXPECT_EQ(set.apply(0, 3, kA, R"({})"), SiteChange::kAdded);
  EXPECT_EQ(set.sites().at(kA).value, "{}");
}

TEST(SiteSet, DuplicateKeysBeforeCompactionLeaveTheLatestValue) {
  SiteSet set;
  set.apply(1, 10, kA, "{\"v\":1}");
  set.apply(1, 11, kB, "{}");
  set.apply(1, 12, kA, "{\"v\":2}");
  EXPECT_EQ(set.apply(1, 13, kA, "{\"v\":2}"), SiteChange::kUnchanged);
  ASSERT_EQ(set.size(), 2U);
  EXPECT_EQ(set.sites().at(kA).value, "{\"v\":2}");
  EXPECT_EQ(set.sites().at(kA).offset, 13);
}

TEST(SiteSet, TombstoneForAnAbsentKeyChangesNothing) {
  SiteSet set;
  EXPECT_EQ(set.apply(0, 5, kA, std::nullopt), SiteChange::kUnchanged);
  EXPECT_EQ(set.size(), 0U);
}

TEST(SiteSet, RedeliveredOlderRecordDoesNotUndoANewerOne) {
  SiteSet set;
  set.apply(0, 1, kA, "{\"v\":1}");
  set.apply(0, 2, kA, std::nullopt);
  EXPECT_EQ(set.apply(0, 1, kA, "{\"v\":1}"), SiteChange::kUnchanged);
  EXPECT_EQ(set.size(), 0U);
}

TEST(SiteSet, DroppingAPartitionForgetsOnlyItsSitesAndItsOffsets) {
  SiteSet set;
  set.apply(0, 7, kA, "{}");
  set.apply(1, 7, kB, "{}");
  EXPECT_EQ(set.drop_partition(0), std::vector<std::string>{kA});
  ASSERT_EQ(set.size(), 1U);
  EXPECT_TRUE(set.sites().contains(kB));
  // Assigned again, the partition is read from the beginning: the same record adds it back.
  EXPECT_EQ(set.apply(0, 7, kA, "{}"), SiteChange::kAdded);
}

}  // namespace
}  // namespace hc
