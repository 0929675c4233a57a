// Which deliveries are still owed, per partition and channel, and so which offsets may be
// committed: the rule that makes `hc notify` deliver at least once.
//
// An event at offset o of partition p, routed to channels C, is pending until every channel
// of C completed it (accepted or dead-lettered). A partition's commit point is its lowest
// pending offset, or the offset after the last event added when none is pending. Committing
// that point never skips an owed delivery.
//
// Per-channel progress travels with the commit as offset metadata ("hc-notify/1 hook=42
// chat=40"): channel c has completed every event of p below its mark. After a restart or a
// rebalance, events below a channel's mark are not sent to that channel again, so a channel
// that was down while the others went on costs the others no repeats.
//
// Threads: any; one mutex guards everything. The consumer thread adds, assigns, revokes and
// takes commits; the channel threads ask needed() and complete().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hc/common/mutex.h"

namespace hc::notify {

struct PartitionId {
  std::string topic;
  std::int32_t partition = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads a defaulted <=> (no pointer here)
  auto operator<=>(const PartitionId&) const = default;
};

// An offset to commit for one partition, with its metadata.
struct CommitPoint {
  PartitionId id;
  std::int64_t offset = 0;
  std::string metadata;
};

// Channel name -> first offset that channel has not completed.
using ChannelMarks = std::map<std::string, std::int64_t>;

// "hc-notify/1 a=10 b=12"; only marks above `offset` are worth writing. Names are channel
// names (no spaces or '=': config_notify_section.cpp's rule).
std::string encode_marks(const ChannelMarks& marks, std::int64_t offset);
// The marks of encode_marks' text; {} for anything else (another tool's metadata).
ChannelMarks decode_marks(std::string_view metadata);

class DeliveryTracker {
 public:
  explicit DeliveryTracker(std::vector<std::string> channel_names);

  // The partition is ours from `committed_offset` (negative: none committed yet) with the
  // marks read from its committed metadata. Replaces any state it had.
  void assign(const PartitionId& id, std::int64_t committed_offset, ChannelMarks marks);
  // Forgets the partition: later completions for it are ignored.
  void revoke(const PartitionId& id);
  // Which assignment of the partition is current: a number that changes at every assign(),
  // or nullopt while the partition is not ours. Work tied to a partition that outlives its
  // events (a channel's reminders) compares it with the one it began under.
  std::optional<std::uint64_t> assignment(const PartitionId& id) const;

  // Records the event at `offset` routed to `channels` (indexes into channel_names) and
  // returns those that still owe it (not below their mark). With none left the event is
  // complete at once. REQUIRES: offsets of one partition added in increasing order.
  std::vector<std::size_t> add(const PartitionId& id, std::int64_t offset,
                               const std::vector<std::size_t>& channels);
  // False once the delivery is complete, or the partition is no longer ours.
  bool needed(const PartitionId& id, std::int64_t offset, std::size_t channel) const;
  void complete(const PartitionId& id, std::int64_t offset, std::size_t channel);

  // The commit point of every partition whose point or marks moved since the last call.
  std::vector<CommitPoint> take_commits();
  // The commit point of every assigned partition that has one (for a final commit).
  std::vector<CommitPoint> all_commits() const;
  // Events added and not complete, over all partitions.
  std::size_t pending() const;

 private:
  struct Partition {
    std::int64_t next_offset = -1;  // after the last event added; -1: nothing known yet
    // Offset -> channels still owing it.
    std::map<std::int64_t, std::vector<std::size_t>> pending;
    ChannelMarks restored_marks;   // from the committed metadata
    std::string last_taken;        // "<offset> <metadata>" of the last commit taken
    std::uint64_t assignment = 0;  // assignments_ at its assign(); 0: added without one
  };
  std::optional<CommitPoint> commit_point(const PartitionId& id, const Partition& partition) const;

  std::vector<std::string> channel_names_;  // set in the constructor only: read without mutex_
  mutable Mutex mutex_;
  std::map<PartitionId, Partition> partitions_ GUARDED_BY(mutex_);
  std::size_t pending_ GUARDED_BY(mutex_) = 0;
  std::uint64_t assignments_ GUARDED_BY(mutex_) = 0;
};

}  // namespace hc::notify
