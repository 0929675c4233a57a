#include "batch.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace hc::consumer {

std::size_t TableRows::KeyHash::operator()(const Key& key) const {
  // The digest is a SHA-256: any 16 of its hex digits are already uniformly spread.
  std::uint64_t digest_bits = 0;
  std::memcpy(&digest_bits, key.url_digest.data(), sizeof digest_bits);
  std::uint64_t more_bits = 0;
  std::memcpy(&more_bits, key.url_digest.data() + sizeof digest_bits, sizeof more_bits);
  return std::hash<std::uint64_t>{}(digest_bits ^ (more_bits << 1) ^
                                    static_cast<std::uint64_t>(key.row_time_us) *
                                        0x9e3779b97f4a7c15ULL);
}

void TableRows::add(Row row, RowOrigin origin) {
  Key key{};
  const std::string_view digest = row_url_digest(row);
  if (digest.size() != key.url_digest.size()) {
    throw std::invalid_argument("url_digest must be 64 hex digits, got " +
                                std::to_string(digest.size()) + " characters");
  }
  std::memcpy(key.url_digest.data(), digest.data(), key.url_digest.size());
  key.row_time_us = row_time(row).time_since_epoch().count();
  auto [it, inserted] = index_.try_emplace(key, rows_.size());
  if (inserted) {
    rows_.push_back(std::move(row));
    origins_.push_back(origin);
  } else {
    rows_[it->second] = std::move(row);  // the later offset wins, as a replay would
    origins_[it->second] = origin;
  }
}

void TableRows::reserve(std::size_t rows) {
  rows_.reserve(rows);
  origins_.reserve(rows);
  index_.reserve(rows);
}

bool RowLane::holds(const Row& row) const {
  if (count <= 1) return true;
  // The digest is a SHA-256: its last hex digit is uniformly spread over 0..15.
  const std::string_view digest = row_url_digest(row);
  const char last = digest.empty() ? '0' : digest.back();
  const std::size_t nibble = last <= '9' ? last - '0' : (last | 0x20) - 'a' + 10;
  return nibble % count == index;
}

void TableRows::clear() {
  rows_.clear();
  origins_.clear();
  index_.clear();
}

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
