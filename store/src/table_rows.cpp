#include "hc/store/table_rows.h"

#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace hc {

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

}  // namespace hc
