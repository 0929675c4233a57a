// The batch in hand: decoded rows per table (TableRows, store/) and the offsets they came from.
//
// Owned and used by the consumer loop thread only (not thread-safe).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hc/store/table_rows.h"

namespace hc::consumer {

// Next offset to commit for one partition: the highest offset consumed + 1.
struct PartitionOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t next_offset = 0;
  bool operator==(const PartitionOffset&) const = default;
};

class Batch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // table_count: one TableRows per route (see Router). The batch is due once it holds
  // max_messages messages or its oldest message is max_wait old.
  Batch(std::size_t table_count, std::size_t max_messages, std::chrono::milliseconds max_wait);

  // Records that one message (good or poison) was consumed; its offset may be committed
  // once everything it produced is durable.
  void add_message(const std::string& topic, std::int32_t partition, std::int64_t offset,
                   TimePoint now);
  TableRows& table(std::size_t index) { return tables_.at(index); }
  const TableRows& table(std::size_t index) const { return tables_.at(index); }
  std::size_t table_count() const { return tables_.size(); }

  std::size_t message_count() const { return message_count_; }
  bool empty() const { return message_count_ == 0; }
  bool due(TimePoint now) const;
  // When the batch becomes due by age; TimePoint::max() while empty.
  TimePoint deadline() const;
  std::vector<PartitionOffset> offsets() const;
  void clear();

 private:
  std::vector<TableRows> tables_;
  std::size_t max_messages_;
  std::chrono::milliseconds max_wait_;
  std::size_t message_count_ = 0;
  TimePoint first_message_at_{};
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets_;
};

}  // namespace hc::consumer
