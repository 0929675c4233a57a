// Rows for one table as the writer takes them: unique by the table's primary key, each with
// where it came from, and the lanes that split them between concurrent writers.
//
// Not thread-safe: owned by one thread at a time (the consumer loop's batch, then the writer
// it hands the batch to).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "hc/store/row.h"

namespace hc {

// Where a row came from: enough to dead-letter it if the database refuses it.
struct RowOrigin {
  std::uint32_t topic = 0;  // index into the reader's list of source topics
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

}  // namespace hc
