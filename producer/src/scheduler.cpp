#include "scheduler.h"

#include <algorithm>
#include <functional>

namespace hc::producer {

Scheduler::Scheduler(const Clock& clock, std::size_t max_in_flight)
    : clock_(clock), max_in_flight_(std::max<std::size_t>(1, max_in_flight)) {}

std::vector<SiteId> Scheduler::replace_sites(std::vector<ScheduledSite> sites) {
  const TimePoint now = clock_.now();
  std::unordered_map<SiteId, Site> kept;
  std::unordered_map<std::string, SiteId> ids_by_key;
  std::unordered_map<std::string, int> repeats;  // of keys given more than once
  std::vector<SiteId> ids;
  ids.reserve(sites.size());
  kept.reserve(sites.size());
  ids_by_key.reserve(sites.size());

  for (ScheduledSite& entry : sites) {
    std::string key = std::move(entry.key);
    // The n-th occurrence of a key (n > 1) is key + '\0' + (n - 1).
    if (ids_by_key.contains(key)) key += '\0' + std::to_string(++repeats[key]);
    const std::chrono::nanoseconds interval =
        std::max(entry.interval, std::chrono::milliseconds(1));

    SiteId id = 0;
    Site site;
    if (auto old = ids_by_key_.find(key); old != ids_by_key_.end()) {
      id = old->second;
      site = sites_.at(id);
      sites_.erase(id);
      if (site.interval != interval) {
        site.interval = interval;
        site.next_deadline = first_deadline(entry, now);
      }
    } else {
      id = next_id_++;
      site = Site{interval, first_deadline(entry, now)};
    }
    ids_by_key.emplace(std::move(key), id);
    kept.emplace(id, site);
    ids.push_back(id);
  }
  // What is left in sites_ was removed from the list.
  for (const auto& [id, site] : sites_) {
    if (site.in_flight) dropped_in_flight_.insert(id);
  }
  sites_ = std::move(kept);
  ids_by_key_ = std::move(ids_by_key);
  rebuild_heap();
  return ids;
}

std::optional<Start> Scheduler::next_start() {
  const TimePoint now = clock_.now();
  while (!heap_.empty()) {
    const auto [deadline, id] = heap_.front();
    if (deadline > now) return std::nullopt;
    Site& site = sites_.at(id);
    if (site.in_flight) {
      // Never two checks of one site at once: this run is skipped, not queued.
      ++counters_.skipped_in_flight;
      pop();
      site.next_deadline = advance(site, deadline + site.interval, now);
      push(site.next_deadline, id);
      continue;
    }
    if (in_flight_ >= max_in_flight_) {
      site.waited_for_slot = true;
      return std::nullopt;
    }
    pop();
    site.next_deadline = advance(site, deadline + site.interval, now);
    push(site.next_deadline, id);
    site.in_flight = true;
    ++in_flight_;
    ++counters_.starts;
    if (site.waited_for_slot) {
      ++counters_.deferred_by_bound;
      site.waited_for_slot = false;
    }
    return Start{id, deadline, site.next_deadline, now - deadline};
  }
  return std::nullopt;
}

void Scheduler::finished(SiteId id) {
  if (auto it = sites_.find(id); it != sites_.end() && it->second.in_flight) {
    it->second.in_flight = false;
    --in_flight_;
  } else if (dropped_in_flight_.erase(id) > 0) {
    --in_flight_;
  }
}

std::optional<TimePoint> Scheduler::next_wakeup() const {
  if (heap_.empty() || in_flight_ >= max_in_flight_) return std::nullopt;
  return heap_.front().first;
}

TimePoint Scheduler::first_deadline(const ScheduledSite& site, TimePoint now) const {
  const auto interval_us = static_cast<std::uint64_t>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::microseconds>(site.interval).count()));
  // The wall-clock phase of the site: every producer (and every restart) that schedules it
  // puts its runs at the same wall times, so a site moved between producers keeps its rhythm.
  const auto wall_us = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, clock_.wall_now().time_since_epoch().count()));
  const std::uint64_t phase = site.spread_hash % interval_us;
  const std::uint64_t offset = (phase + interval_us - wall_us % interval_us) % interval_us;
  return now + std::chrono::microseconds(static_cast<std::int64_t>(offset));
}

TimePoint Scheduler::advance(const Site& site, TimePoint deadline, TimePoint now) {
  if (deadline > now) return deadline;
  const auto missed = (now - deadline) / site.interval + 1;
  counters_.skipped_late += static_cast<std::uint64_t>(missed);
  return deadline + missed * site.interval;
}

void Scheduler::push(TimePoint deadline, SiteId site) {
  heap_.emplace_back(deadline, site);
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void Scheduler::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  heap_.pop_back();
}

void Scheduler::rebuild_heap() {
  heap_.clear();
  heap_.reserve(sites_.size());
  for (const auto& [id, site] : sites_) heap_.emplace_back(site.next_deadline, id);
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

}  // namespace hc::producer
