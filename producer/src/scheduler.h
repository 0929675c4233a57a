// Deadline-ordered scheduling of the site checks: pure logic, no I/O, no threads.
//
// Each site runs on its own interval. The first run of a site falls within its interval at a
// deterministic wall-clock phase (the wall times t with t % interval == spread_hash %
// interval), so many sites do not fire at once, and a restart, or another producer taking the
// site over, runs it at the same wall times: no check of a moved site comes less than one
// interval after its previous owner's last (clocks in sync). Next deadline = previous deadline +
// interval: no drift, whatever the check took. A site still in flight at its deadline is
// not started a second time (the run is skipped and counted); a site that starts more than
// one interval late skips forward (the missed runs are counted). At most max_in_flight
// checks run at once: a due site waits for a free slot, and its start reports how late it
// was.
//
// Thread: not thread-safe; owned and called by the producer loop thread only. Time comes
// from the injected Clock so tests drive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hc/common/clock.h"
#include "site_hash.h"

namespace hc::producer {

using SiteId = std::uint64_t;
using TimePoint = std::chrono::steady_clock::time_point;

// What the scheduler knows of a site.
struct ScheduledSite {
  SiteKey key;  // identity across replace_sites() calls: site_key(URL + '\n' + topic)
  std::chrono::milliseconds interval{30000};  // > 0
  std::uint64_t spread_hash = 0;  // its wall-clock phase within the interval (see above)
};

// One check to start now.
struct Start {
  SiteId site = 0;
  TimePoint deadline;                   // when it was due
  TimePoint next_deadline;              // the site's next run (unless its interval changes)
  std::chrono::nanoseconds lateness{};  // start time - deadline (>= 0)
  // The site's position in the list of the last replace_sites() call (where the caller keeps
  // what its check needs). Valid until the next call.
  std::size_t index = 0;
};

// Cumulative, monotonically increasing.
struct SchedulerCounters {
  std::uint64_t starts = 0;
  std::uint64_t skipped_in_flight = 0;  // due while its previous check still ran
  std::uint64_t skipped_late = 0;       // runs jumped over because we were > 1 interval late
  std::uint64_t deferred_by_bound = 0;  // starts that waited for a free slot
};

class Scheduler {
 public:
  // REQUIRES: max_in_flight > 0; clock outlives the scheduler.
  Scheduler(const Clock& clock, std::size_t max_in_flight);

  // Replaces the site list; returns the id of each entry, in order. A key already
  // scheduled keeps its id and, if its interval is unchanged, its next deadline; a new key
  // gets a new id (never reused) and a first run spread over its interval. Sites whose key
  // is absent are dropped: if one is in flight it keeps its slot until finished(), and
  // is_scheduled() tells the caller to discard its result. Duplicate keys are distinct sites
  // (the n-th occurrence of a key keeps the schedule of the previous list's n-th).
  // REQUIRES: fewer than 2^32 sites.
  std::vector<SiteId> replace_sites(const std::vector<ScheduledSite>& list);

  // The next site to start now, if one is due and a slot is free; it is then in flight
  // until finished(). Call repeatedly until it returns nullopt.
  std::optional<Start> next_start();

  // REQUIRES: site came from next_start() and has not finished yet.
  void finished(SiteId site);

  // When next_start() may next return a site: the earliest deadline (possibly in the
  // past). nullopt when nothing is scheduled or every slot is taken (then only a
  // finished() call can change that).
  std::optional<TimePoint> next_wakeup() const;

  bool is_scheduled(SiteId site) const { return index_of(site).has_value(); }
  std::size_t size() const { return sites_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  // Checks still running of sites that replace_sites() removed.
  std::size_t dropped_in_flight() const { return dropped_in_flight_.size(); }
  const SchedulerCounters& counters() const { return counters_; }

 private:
  // 48 bytes a site, in a vector: a 200,000-site producer keeps no node or string per site.
  struct Site {
    SiteKey key;
    SiteId id = 0;
    std::chrono::nanoseconds interval{};
    TimePoint next_deadline;
    bool in_flight = false;
    bool waited_for_slot = false;
  };
  // (deadline, index in sites_), min-heap; equal deadlines start in list order.
  using HeapEntry = std::pair<TimePoint, std::uint32_t>;

  // The indexes of `sites` in the order of their keys (a key's occurrences in list order).
  static std::vector<std::uint32_t> order_by_key(const std::vector<Site>& sites);
  // The site's index in sites_; nullopt when it is not scheduled.
  std::optional<std::uint32_t> index_of(SiteId site) const;
  TimePoint first_deadline(const ScheduledSite& site, TimePoint now) const;
  // Moves a deadline that is already past `now` forward by whole intervals; counts the
  // runs jumped over.
  TimePoint advance(const Site& site, TimePoint deadline, TimePoint now);
  void push(TimePoint deadline, std::uint32_t index);
  void pop();
  void rebuild_heap();

  const Clock& clock_;
  std::size_t max_in_flight_;
  SiteId next_id_ = 1;
  std::vector<Site> sites_;  // in the order of the last replace_sites() list
  std::vector<std::pair<SiteId, std::uint32_t>> index_by_id_;  // (id, index in sites_), by id
  std::unordered_set<SiteId> dropped_in_flight_;  // removed sites whose check still runs
  std::vector<HeapEntry> heap_;                   // exactly one entry per scheduled site
  std::size_t in_flight_ = 0;
  SchedulerCounters counters_;
};

}  // namespace hc::producer
