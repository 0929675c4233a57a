#include "delivery_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace hc::notify {
namespace {

constexpr std::string_view kMarksPrefix = "hc-notify/1";

}  // namespace

std::string encode_marks(const ChannelMarks& marks, std::int64_t offset) {
  std::string text(kMarksPrefix);
  for (const auto& [name, mark] : marks) {
    if (mark > offset) text += fmt::format(" {}={}", name, mark);
  }
  return text;
}

ChannelMarks decode_marks(std::string_view metadata) {
  ChannelMarks marks;
  if (!metadata.starts_with(kMarksPrefix)) return marks;
  std::string_view rest = metadata.substr(kMarksPrefix.size());
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view item = rest.substr(0, end);
    rest.remove_prefix(end);
    const std::size_t equals = item.rfind('=');
    if (equals == std::string_view::npos || equals == 0) return {};
    std::int64_t mark = 0;
    const std::string_view digits = item.substr(equals + 1);
    auto [end_of_number, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), mark);
    if (error != std::errc() || end_of_number != digits.data() + digits.size()) return {};
    marks[std::string(item.substr(0, equals))] = mark;
  }
  return marks;
}

DeliveryTracker::DeliveryTracker(std::vector<std::string> channel_names)
    : channel_names_(std::move(channel_names)) {}

void DeliveryTracker::assign(const PartitionId& id, std::int64_t committed_offset,
                             ChannelMarks marks) {
  MutexLock lock(mutex_);
  auto found = partitions_.find(id);
  if (found != partitions_.end()) pending_ -= found->second.pending.size();
  Partition partition;
  partition.next_offset = committed_offset >= 0 ? committed_offset : -1;
  partition.restored_marks = std::move(marks);
  partition.assignment = ++assignments_;
  partitions_[id] = std::move(partition);
}

std::optional<std::uint64_t> DeliveryTracker::assignment(const PartitionId& id) const {
  MutexLock lock(mutex_);
  auto found = partitions_.find(id);
  if (found == partitions_.end()) return std::nullopt;
  return found->second.assignment;
}

void DeliveryTracker::revoke(const PartitionId& id) {
  MutexLock lock(mutex_);
  auto found = partitions_.find(id);
  if (found == partitions_.end()) return;
  pending_ -= found->second.pending.size();
  partitions_.erase(found);
}

std::vector<std::size_t> DeliveryTracker::add(const PartitionId& id, std::int64_t offset,
                                              const std::vector<std::size_t>& channels) {
  MutexLock lock(mutex_);
  Partition& partition = partitions_[id];
  partition.next_offset = offset + 1;
  std::vector<std::size_t> owed;
  for (std::size_t channel : channels) {
    auto mark = partition.restored_marks.find(channel_names_[channel]);
    if (mark != partition.restored_marks.end() && offset < mark->second) continue;
    owed.push_back(channel);
  }
  if (!owed.empty()) {
    partition.pending.emplace(offset, owed);
    ++pending_;
  }
  return owed;
}

bool DeliveryTracker::needed(const PartitionId& id, std::int64_t offset,
                             std::size_t channel) const {
  MutexLock lock(mutex_);
  auto partition = partitions_.find(id);
  if (partition == partitions_.end()) return false;
  auto event = partition->second.pending.find(offset);
  if (event == partition->second.pending.end()) return false;
  return std::find(event->second.begin(), event->second.end(), channel) != event->second.end();
}

void DeliveryTracker::complete(const PartitionId& id, std::int64_t offset, std::size_t channel) {
  MutexLock lock(mutex_);
  auto partition = partitions_.find(id);
  if (partition == partitions_.end()) return;
  auto event = partition->second.pending.find(offset);
  if (event == partition->second.pending.end()) return;
  std::erase(event->second, channel);
  if (event->second.empty()) {
    partition->second.pending.erase(event);
    --pending_;
  }
}

std::optional<CommitPoint> DeliveryTracker::commit_point(const PartitionId& id,
                                                         const Partition& partition) const {
  if (partition.next_offset < 0) return std::nullopt;
  const std::int64_t offset =
      partition.pending.empty() ? partition.next_offset : partition.pending.begin()->first;
  // Each channel's mark: its first owed event, else everything read so far. A restored mark
  // beyond what was read still holds (those events are not sent to it again).
  ChannelMarks marks;
  for (std::size_t channel = 0; channel < channel_names_.size(); ++channel) {
    std::int64_t mark = partition.next_offset;
    for (const auto& [event_offset, owing] : partition.pending) {
      if (std::find(owing.begin(), owing.end(), channel) != owing.end()) {
        mark = event_offset;
        break;
      }
    }
    auto restored = partition.restored_marks.find(channel_names_[channel]);
    if (restored != partition.restored_marks.end()) mark = std::max(mark, restored->second);
    marks[channel_names_[channel]] = mark;
  }
  return CommitPoint{id, offset, encode_marks(marks, offset)};
}

std::vector<CommitPoint> DeliveryTracker::take_commits() {
  MutexLock lock(mutex_);
  std::vector<CommitPoint> commits;
  for (auto& [id, partition] : partitions_) {
    auto point = commit_point(id, partition);
    if (!point) continue;
    std::string key = fmt::format("{} {}", point->offset, point->metadata);
    if (key == partition.last_taken) continue;
    partition.last_taken = std::move(key);
    commits.push_back(std::move(*point));
  }
  return commits;
}

std::vector<CommitPoint> DeliveryTracker::all_commits() const {
  MutexLock lock(mutex_);
  std::vector<CommitPoint> commits;
  for (const auto& [id, partition] : partitions_) {
    if (auto point = commit_point(id, partition)) commits.push_back(std::move(*point));
  }
  return commits;
}

std::size_t DeliveryTracker::pending() const {
  MutexLock lock(mutex_);
  return pending_;
}

}  // namespace hc::notify
