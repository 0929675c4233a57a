// The batch in hand: decoded rows per table and the offsets they came from.
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

#include "table_row.h"

namespace hc::consumer {

// Where a row came from: enough to dead-letter it if the database refuses it.
struct RowOrigin {
  std::uint32_t topic = 0;  // index into Router::source_topics()
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  bool operator==(const RowOrigin&) const = default;
};

// Rows for one table, unique by the table's primary key (url_digest, row_time).
// Invariant relied on by the Postgres upsert: no key appears twice, because
// "ON CONFLICT DO UPDATE" refuses to touch one row twice in one statement. A replay
// that lands in one batch therefore keeps only the row from the latest offset.
class TableRows {
 public:
  // REQUIRES: row_url_digest(row) is 64 hex digits (the decoder checks it); else
  // std::invalid_argument. The rows of one TableRows are of one kind (its table's).
  void add(Row row, RowOrigin origin = {});
  // Capacity for `rows` rows, so a batch does not reallocate while it fills.
  void reserve(std::size_t rows);
  const std::vector<Row>& rows() const { return rows_; }
  // origins()[i] is where rows()[i] came from.
  const std::vector<RowOrigin>& origins() const { return origins_; }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  void clear();

 private:
  // Fixed size, so building a key allocates nothing (this runs for every message).
  struct Key {
    std::array<char, 64> url_digest;
    std::int64_t row_time_us;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };

  std::vector<Row> rows_;
  std::vector<RowOrigin> origins_;
  std::unordered_map<Key, std::size_t, KeyHash> index_;  // key -> position in rows_
};

// One of `count` disjoint shares of a batch's rows, by url_digest: the batch writer
// writes the shares of one database concurrently, over one connection each. Every key
// falls in exactly one share, so per-key order (the later offset wins) is kept.
struct RowLane {
  std::size_t index = 0;
  std::size_t count = 1;

  // REQUIRES: row_url_digest(row) is hex (see TableRows::add).
  bool holds(const Row& row) const;
};

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
