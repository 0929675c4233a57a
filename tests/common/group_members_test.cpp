// A group member's assignment as the coordinator returns it (ConsumerProtocolAssignment
// bytes), decoded for GET /api/v1/fleet.
#include "hc/common/group_members.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hc {
namespace {

void put16(std::vector<std::uint8_t>& out, int value) {
  out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xff));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}
void put32(std::vector<std::uint8_t>& out, std::int64_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xff));
  }
}
void put_topic(std::vector<std::uint8_t>& out, const std::string& topic,
               const std::vector<int>& partitions) {
  put16(out, static_cast<int>(topic.size()));
  out.insert(out.end(), topic.begin(), topic.end());
  put32(out, static_cast<std::int64_t>(partitions.size()));
  for (int partition : partitions) put32(out, partition);
}

TEST(MemberAssignment, TopicsAndPartitionsAreReadAndSortedUserDataIgnored) {
  std::vector<std::uint8_t> bytes;
  put16(bytes, 1);  // version 1, as the cooperative-sticky assignor writes
  put32(bytes, 2);
  put_topic(bytes, "hc.sites", {2, 0});
  put_topic(bytes, "other", {5});
  put32(bytes, 3);  // user data: 3 bytes
  bytes.insert(bytes.end(), {1, 2, 3});
  const auto assignment = decode_member_assignment(bytes);
  ASSERT_TRUE(assignment);
  EXPECT_EQ(*assignment, (MemberAssignment{{"hc.sites", {0, 2}}, {"other", {5}}}));
}

TEST(MemberAssignment, EmptyBytesAreAnEmptyAssignment) {
  const auto assignment = decode_member_assignment({});
  ASSERT_TRUE(assignment);
  EXPECT_TRUE(assignment->empty());
}

TEST(MemberAssignment, TruncatedOrImpossibleCountsAreRefused) {
  std::vector<std::uint8_t> whole;
  put16(whole, 0);
  put32(whole, 1);
  put_topic(whole, "hc.sites", {0, 1, 2});
  for (std::size_t cut = 1; cut < whole.size(); ++cut) {
    const std::vector<std::uint8_t> truncated(whole.begin(),
                                              whole.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(decode_member_assignment(truncated)) << "cut at " << cut;
  }
  std::vector<std::uint8_t> huge;
  put16(huge, 0);
  put32(huge, 0x7fffffff);  // two billion topics in a few bytes
  EXPECT_FALSE(decode_member_assignment(huge));
}

}  // namespace
}  // namespace hc
