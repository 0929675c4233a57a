#include "scheduler.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace hc::producer {

Scheduler::Scheduler(const Clock& clock, std::size_t max_in_flight)
    : clock_(clock), max_in_flight_(std::max<std::size_t>(1, max_in_flight)) {}

std::vector<std::uint32_t> Scheduler::order_by_key(const std::vector<Site>& sites) {
  std::vector<std::uint32_t> order(sites.size());
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::stable_sort(order.begin(), order.end(), [&sites](std::uint32_t a, std::uint32_t b) {
    return sites[a].key < sites[b].key;
  });
  return order;
}

std::vector<SiteId> Scheduler::replace_sites(const std::vector<ScheduledSite>& list) {
  const TimePoint now = clock_.now();
  std::vector<Site> sites(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    sites[i].key = list[i].key;
    sites[i].interval =
        std::max<std::chrono::nanoseconds>(list[i].interval, std::chrono::milliseconds(1));
  }
  // Both lists in key order, a key's occurrences in list order: the n-th occurrence of a kept
  // key takes over the id and schedule of the previous list's n-th.
  const std::vector<std::uint32_t> order = order_by_key(sites);
  const std::vector<std::uint32_t> old_order = order_by_key(sites_);
  std::vector<bool> kept(sites_.size(), false);
  auto old = old_order.begin();
  for (const std::uint32_t index : order) {
    Site& site = sites[index];
    while (old != old_order.end() && sites_[*old].key < site.key) ++old;
    if (old == old_order.end() || sites_[*old].key != site.key) continue;
    const Site& previous = sites_[*old];
    kept[*old] = true;
    ++old;
    site.id = previous.id;
    site.in_flight = previous.in_flight;
    site.waited_for_slot = previous.waited_for_slot;
    site.next_deadline = site.interval == previous.interval ? previous.next_deadline
                                                            : first_deadline(list[index], now);
  }
  // New keys, in list order: new ids (never reused) and a first run spread over the interval.
  std::vector<SiteId> ids(sites.size());
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].id == 0) {
      sites[i].id = next_id_++;
      sites[i].next_deadline = first_deadline(list[i], now);
    }
    ids[i] = sites[i].id;
  }
  // The old sites not kept were removed from the list.
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    if (!kept[i] && sites_[i].in_flight) dropped_in_flight_.insert(sites_[i].id);
  }
  sites_ = std::move(sites);
  index_by_id_.clear();
  index_by_id_.shrink_to_fit();
  index_by_id_.reserve(sites_.size());
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    index_by_id_.emplace_back(sites_[i].id, static_cast<std::uint32_t>(i));
  }
  std::sort(index_by_id_.begin(), index_by_id_.end());
  rebuild_heap();
  return ids;
}

std::optional<std::uint32_t> Scheduler::index_of(SiteId site) const {
  const auto found = std::lower_bound(
      index_by_id_.begin(), index_by_id_.end(), site,
      [](const std::pair<SiteId, std::uint32_t>& entry, SiteId id) { return entry.first < id; });
  if (found == index_by_id_.end() || found->first != site) return std::nullopt;
  return found->second;
}

std::optional<Start> Scheduler::next_start() {
  const TimePoint now = clock_.now();
  while (!heap_.empty()) {
    const auto [deadline, index] = heap_.front();
    if (deadline > now) return std::nullopt;
    Site& site = sites_[index];
    if (site.in_flight) {
      // Never two checks of one site at once: this run is skipped, not queued.
      ++counters_.skipped_in_flight;
      pop();
      site.next_deadline = advance(site, deadline + site.interval, now);
      push(site.next_deadline, index);
      continue;
    }
    if (in_flight_ >= max_in_flight_) {
      site.waited_for_slot = true;
      return std::nullopt;
    }
    pop();
    site.next_deadline = advance(site, deadline + site.interval, now);
    push(site.next_deadline, index);
    site.in_flight = true;
    ++in_flight_;
    ++counters_.starts;
    if (site.waited_for_slot) {
      ++counters_.deferred_by_bound;
      site.waited_for_slot = false;
    }
    return Start{site.id, deadline, site.next_deadline, now - deadline, index};
  }
  return std::nullopt;
}

void Scheduler::finished(SiteId id) {
  if (const auto index = index_of(id); index && sites_[*index].in_flight) {
    sites_[*index].in_flight = false;
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

void Scheduler::push(TimePoint deadline, std::uint32_t index) {
  heap_.emplace_back(deadline, index);
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void Scheduler::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  heap_.pop_back();
}

void Scheduler::rebuild_heap() {
  heap_.clear();
  heap_.shrink_to_fit();
  heap_.reserve(sites_.size());
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    heap_.emplace_back(sites_[i].next_deadline, static_cast<std::uint32_t>(i));
  }
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

}  // namespace hc::producer
