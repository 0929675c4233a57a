#include "hc/common/group_members.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "hc/common/kafka_handles.h"

namespace hc {
namespace {

// Big-endian reads over the assignment bytes; any read past the end fails the whole decode.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  std::int64_t integer(std::size_t width) {
    if (!ok_ || bytes_.size() - at_ < width) {
      ok_ = false;
      return 0;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8U) | bytes_[at_ + i];
    at_ += width;
    // Sign-extend from `width` bytes.
    const std::uint64_t sign = std::uint64_t{1} << (width * 8 - 1);
    return static_cast<std::int64_t>((value ^ sign) - sign);
  }
  std::string text(std::size_t length) {
    if (!ok_ || bytes_.size() - at_ < length) {
      ok_ = false;
      return {};
    }
    std::string value(reinterpret_cast<const char*>(bytes_.data() + at_), length);
    at_ += length;
    return value;
  }
  std::size_t left() const { return bytes_.size() - at_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

struct GroupListDeleter {
  void operator()(const rd_kafka_group_list* list) const { rd_kafka_group_list_destroy(list); }
};

}  // namespace

std::optional<MemberAssignment> decode_member_assignment(std::span<const std::uint8_t> bytes) {
  MemberAssignment assignment;
  if (bytes.empty()) return assignment;
  ByteReader reader(bytes);
  reader.integer(2);  // version: every version starts with the same fields
  const std::int64_t topics = reader.integer(4);
  // Each topic takes at least 6 bytes: a count beyond what is left is malformed.
  if (!reader.ok() || topics < 0 || static_cast<std::size_t>(topics) > reader.left() / 6) {
    return std::nullopt;
  }
  for (std::int64_t t = 0; t < topics; ++t) {
    const std::int64_t name_length = reader.integer(2);
    if (name_length < 0) return std::nullopt;
    std::string topic = reader.text(static_cast<std::size_t>(name_length));
    const std::int64_t partitions = reader.integer(4);
    if (!reader.ok() || partitions < 0 ||
        static_cast<std::size_t>(partitions) > reader.left() / 4) {
      return std::nullopt;
    }
    std::vector<std::int32_t>& list = assignment[topic];
    for (std::int64_t p = 0; p < partitions; ++p) {
      list.push_back(static_cast<std::int32_t>(reader.integer(4)));
    }
    std::sort(list.begin(), list.end());
  }
  if (!reader.ok()) return std::nullopt;
  return assignment;
}

GroupDescribeResult describe_group(const KafkaSettings& kafka, const std::string& group,
                                   std::chrono::milliseconds timeout) {
  GroupDescribeResult result;
  KafkaHandle client = make_kafka_client(RD_KAFKA_PRODUCER,
                                         make_kafka_conf(kafka, {{"client.id", "hc-group-reader"}}),
                                         "the group reader");
  const rd_kafka_group_list* raw = nullptr;
  const rd_kafka_resp_err_t error =
      rd_kafka_list_groups(client.get(), group.c_str(), &raw,
                           static_cast<int>(std::max<std::int64_t>(1, timeout.count())));
  const std::unique_ptr<const rd_kafka_group_list, GroupListDeleter> list(raw);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR__PARTIAL) {
    result.problem = fmt::format("cannot describe group {}: {}", group, rd_kafka_err2str(error));
    return result;
  }
  GroupDescription description{"Dead", {}};
  for (int g = 0; list && g < list->group_cnt; ++g) {
    const rd_kafka_group_info& info = list->groups[g];
    if (info.group == nullptr || group != info.group) continue;
    if (info.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result.problem =
          fmt::format("cannot describe group {}: {}", group, rd_kafka_err2str(info.err));
      return result;
    }
    description.state = info.state != nullptr ? info.state : "";
    for (int m = 0; m < info.member_cnt; ++m) {
      const rd_kafka_group_member_info& member = info.members[m];
      GroupMember described{member.member_id != nullptr ? member.member_id : "",
                            member.client_id != nullptr ? member.client_id : "",
                            member.client_host != nullptr ? member.client_host : "",
                            {}};
      const std::span<const std::uint8_t> bytes(
          static_cast<const std::uint8_t*>(member.member_assignment),
          member.member_assignment == nullptr
              ? 0
              : static_cast<std::size_t>(std::max(0, member.member_assignment_size)));
      if (auto assignment = decode_member_assignment(bytes)) {
        described.assignment = std::move(*assignment);
      }
      description.members.push_back(std::move(described));
    }
  }
  std::sort(description.members.begin(), description.members.end(),
            [](const GroupMember& a, const GroupMember& b) { return a.member_id < b.member_id; });
  result.group = std::move(description);
  return result;
}

}  // namespace hc
