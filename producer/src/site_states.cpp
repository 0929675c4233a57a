#include "site_states.h"

namespace hc::producer {
namespace {

// What the index asks of an entry: its hash (the low half of its key).
template <typename Entries>
auto hash_of(const Entries& entries) {
  return [&entries](std::uint32_t position) { return entries[position].key.low; };
}

// The position of `key` in `entries`, or PositionIndex::kNone.
template <typename Entries>
std::uint32_t find_key(const PositionIndex& index, const Entries& entries, const SiteKey& key) {
  return index.find(key.low, [&](std::uint32_t p) { return entries[p].key == key; });
}

}  // namespace

void SiteStates::restore(std::string_view url, SiteStatus status, WallTime since) {
  const SiteKey key = site_key(url);
  MutexLock lock(mutex_);
  state_of(key) = SiteState(status, since);
}

void SiteStates::forget(std::string_view url) {
  const SiteKey key = site_key(url);
  MutexLock lock(mutex_);
  const std::uint32_t position = position_of(key);
  if (position == PositionIndex::kNone) return;
  index_.erase(key.low, position, hash_of(entries_));
  const auto last = static_cast<std::uint32_t>(entries_.size() - 1);
  if (position != last) {
    entries_[position] = entries_[last];
    index_.move(entries_[position].key.low, last, position);
  }
  entries_.pop_back();
}

std::optional<StateEvent> SiteStates::observe(const std::string& url,
                                              const StateThresholds& thresholds,
                                              const Measurement& measurement) {
  const bool healthy = measurement.healthy.value_or(!measurement.error.has_value());
  StateCause cause;
  if (!healthy) {
    cause.failed_conditions = measurement.failed_conditions;
    cause.error = measurement.error;
    cause.error_detail = measurement.error_detail;
    cause.status_code = measurement.status_code;
  }
  const SiteKey key = site_key(url);
  std::optional<StateTransition> transition;
  {
    MutexLock lock(mutex_);
    transition = state_of(key).observe(thresholds, healthy, measurement.measured_at, cause);
  }
  if (!transition) return std::nullopt;
  return state_event(url, *transition, producer_id_);
}

SiteStatus SiteStates::status_of(const std::string& url) const {
  const SiteKey key = site_key(url);
  MutexLock lock(mutex_);
  const std::uint32_t position = position_of(key);
  return position == PositionIndex::kNone ? SiteStatus::kUnknown
                                          : entries_[position].state.status();
}

void SiteStates::reserve(std::size_t sites) {
  MutexLock lock(mutex_);
  if (sites <= entries_.capacity()) return;
  entries_.reserve(sites);
  index_.reserve(sites, hash_of(entries_));
}

std::size_t SiteStates::size() const {
  MutexLock lock(mutex_);
  return entries_.size();
}

SiteState& SiteStates::state_of(const SiteKey& key) {
  std::uint32_t position = position_of(key);
  if (position == PositionIndex::kNone) {
    position = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back(Entry{key, SiteState()});
    index_.insert(key.low, position, hash_of(entries_));
  }
  return entries_[position].state;
}

std::uint32_t SiteStates::position_of(const SiteKey& key) const {
  return find_key(index_, entries_, key);
}

}  // namespace hc::producer
