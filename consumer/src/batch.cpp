#include "batch.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace hc::consumer {

Batch::Batch(std::size_t table_count, std::size_t max_messages, std::chrono::milliseconds max_wait)
    : tables_(table_count),
      max_messages_(std::max<std::size_t>(max_messages, 1)),
      max_wait_(max_wait) {
  // Capped: batch_max_rows may be up to a million, and a batch may never fill.
  constexpr std::size_t kMaxReservedRows = 8192;
  for (auto& table : tables_) table.reserve(std::min(max_messages_, kMaxReservedRows));
}

void Batch::add_message(const std::string& topic, std::int32_t partition, std::int64_t offset,
                        TimePoint now) {
  if (message_count_ == 0) first_message_at_ = now;
  ++message_count_;
  auto [it, inserted] = next_offsets_.try_emplace({topic, partition}, offset + 1);
  if (!inserted) it->second = std::max(it->second, offset + 1);
}

bool Batch::due(TimePoint now) const {
  return message_count_ >= max_messages_ || (message_count_ > 0 && now >= deadline());
}

Batch::TimePoint Batch::deadline() const {
  return message_count_ == 0 ? TimePoint::max() : first_message_at_ + max_wait_;
}

std::vector<PartitionOffset> Batch::offsets() const {
  std::vector<PartitionOffset> result;
  result.reserve(next_offsets_.size());
  for (const auto& [partition, next_offset] : next_offsets_) {
    result.push_back({partition.first, partition.second, next_offset});
  }
  return result;
}

void Batch::clear() {
  for (auto& table : tables_) table.clear();
  message_count_ = 0;
  next_offsets_.clear();
}

}  // namespace hc::consumer
