// The checks a socket, icmp or dns checker has in flight: each under an id never used again,
// so that a callback arriving after its check ended (a lookup, an answer) finds nothing, and
// ordered by the deadline at which its timeout ends the check.
//
// Probe: the checker's own state of one check, default-constructible, with a member
// `std::uint64_t id` that add() sets. Held by pointer: a probe stays where it is until take().
//
// Thread: not thread-safe; the check loop's thread uses it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

namespace hc::producer {

template <typename Probe>
class ProbesInFlight {
 public:
  using Clock = std::chrono::steady_clock;

  // A new probe under a new id, ended by its timeout at `deadline`.
  Probe& add(Clock::time_point deadline) {
    const std::uint64_t id = next_id_++;
    Entry& entry = entries_[id];
    entry.probe = std::make_unique<Probe>();
    entry.probe->id = id;
    entry.deadline = deadlines_.emplace(deadline, id);
    return *entry.probe;
  }

  // The probe under `id`, or null once taken (or cleared).
  Probe* find(std::uint64_t id) {
    auto found = entries_.find(id);
    return found == entries_.end() ? nullptr : found->second.probe.get();
  }

  // The probe whose deadline comes first, if that deadline is at or before `now`; null if none.
  Probe* first_expired(Clock::time_point now) {
    if (deadlines_.empty() || deadlines_.begin()->first > now) return nullptr;
    return entries_.at(deadlines_.begin()->second).probe.get();
  }
  std::optional<Clock::time_point> next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
  }

  // Forgets the probe under `id` and hands it over. REQUIRES: find(id) != nullptr.
  std::unique_ptr<Probe> take(std::uint64_t id) {
    auto found = entries_.find(id);
    deadlines_.erase(found->second.deadline);
    std::unique_ptr<Probe> probe = std::move(found->second.probe);
    entries_.erase(found);
    return probe;
  }

  template <typename Visit>
  void for_each(const Visit& visit) {
    for (auto& [id, entry] : entries_) visit(*entry.probe);
  }
  // Forgets every probe (destroying them).
  void clear() {
    entries_.clear();
    deadlines_.clear();
  }
  std::size_t size() const { return entries_.size(); }

 private:
  using Deadlines = std::multimap<Clock::time_point, std::uint64_t>;
  struct Entry {
    std::unique_ptr<Probe> probe;
    typename Deadlines::iterator deadline;
  };

  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, Entry> entries_;
  Deadlines deadlines_;
};

}  // namespace hc::producer
