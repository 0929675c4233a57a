// Who is in a Kafka consumer group and which partitions each member holds: what GET
// /api/v1/fleet of `hc serve` shows of the producer group (fleet mode).
//
// The group is read with the classic ListGroups + DescribeGroups requests
// (rd_kafka_list_groups), which give each member's assignment as the consumer protocol's
// bytes; decode_member_assignment reads them. The answer is the group coordinator's view: a
// member killed without leaving stays listed until its session times out.
//
// Thread: any; describe_group makes and destroys its own Kafka client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hc/common/kafka_settings.h"

namespace hc {

// topic -> its assigned partitions, ascending.
using MemberAssignment = std::map<std::string, std::vector<std::int32_t>>;

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  MemberAssignment assignment;  // empty while a rebalance is in progress
};

struct GroupDescription {
  std::string state;  // the coordinator's word: "Stable", "PreparingRebalance", "Empty", "Dead"
  std::vector<GroupMember> members;  // sorted by member_id
};

struct GroupDescribeResult {
  std::optional<GroupDescription> group;  // set unless the cluster did not answer
  std::string problem;                    // why not, when group is nullopt
};

// Describes consumer group `group` within about `timeout`. A group nobody has joined is
// described as state "Dead" with no members.
GroupDescribeResult describe_group(const KafkaSettings& kafka, const std::string& group,
                                   std::chrono::milliseconds timeout);

// Decodes a ConsumerProtocolAssignment (any version: int16 version, then [topic: string,
// partitions: [int32]], then user data, which is ignored). nullopt when the bytes are
// truncated or malformed; empty bytes are an empty assignment.
std::optional<MemberAssignment> decode_member_assignment(std::span<const std::uint8_t> bytes);

}  // namespace hc
