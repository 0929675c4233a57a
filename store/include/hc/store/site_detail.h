// One site's page (`hc serve` /sites/{url}, its badges): the overview's numbers for the site,
// its response times per hour or day over a window, and its incidents from the events tables.
//
// Read like the overview (status.h): <table>_latest, the daily rollup for whole closed days,
// <table>_hourly for the other hours, and the events tables (routes with kind: events) for the
// site's state changes. The cost follows the window's buckets and the site's events, not its
// checks. Times are UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/connection_pool.h"
#include "hc/store/status.h"

namespace hc {

// A stored state change of one site (a row of an events table).
struct SiteEvent {
  WallTime at;
  std::string from_state;  // "unknown", "up", "down"
  std::string to_state;
  std::vector<std::string> failed_conditions;  // of the deciding check, when it was unhealthy
  std::optional<std::string> error;
  std::string error_detail;
  std::optional<int> status_code;
};

// A span during which the site was down: from a change to "down" to the next change away from
// it (to "up" or "unknown"), or ongoing.
struct Incident {
  WallTime start;
  std::optional<WallTime> end;  // nullopt: still down
  // The cause, from the event that began it.
  std::vector<std::string> failed_conditions;
  std::optional<std::string> error;
  std::string error_detail;
  std::optional<int> status_code;
};

// The incidents that overlap [from, to), oldest first, from `events` sorted by `at` (the
// newest event before `from` included, so an incident begun earlier is found). Pure.
std::vector<Incident> incidents_in(const std::vector<SiteEvent>& events, WallTime from,
                                   WallTime to);

// The part of `incident` inside [from, to); an ongoing one lasts until `to`. Zero when it does
// not overlap.
std::chrono::microseconds downtime_within(const Incident& incident, WallTime from, WallTime to);

// What a site page asks for: [from, to) in buckets of `step` (from is moved back to the start
// of its bucket by the reader).
struct SiteWindow {
  WallTime from;
  WallTime to;
  HistoryStep step = HistoryStep::kHour;
};

struct SiteBucket {
  WallTime start;
  UptimeCount count;
  std::optional<std::int64_t> p50_response_us;
  std::optional<std::int64_t> p95_response_us;
};

struct SiteDetail {
  SiteOverview site;  // the overview's row of the site (24 h / 7 d / 30 d, cert, last check)
  // State from the newest event of the site in the events tables ("up", "down", "unknown");
  // unset when the config has no events table.
  std::optional<std::string> state;
  std::optional<WallTime> state_since;
  bool has_events_table = false;
  SiteWindow window;                // as read: window.from at its bucket's start
  std::vector<SiteBucket> buckets;  // in the window, oldest first; buckets without checks absent
  UptimeCount window_count;         // every check of the window's buckets
  std::optional<std::int64_t> window_p50_us;  // of every check of the window (its histogram)
  std::optional<std::int64_t> window_p95_us;
  std::vector<Incident> incidents;  // overlapping the window, oldest first
  // At most kMaxSiteEvents events are read: when the window holds more, incidents are those
  // of the newest ones and this is true.
  bool incidents_truncated = false;
};

inline constexpr std::size_t kMaxSiteEvents = 5000;

// The site whose url_digest (hex) is `digest`, as of `now`, over `window`: from the first
// configured measurements table that has it; nullopt when none does. REQUIRES: the window is
// bounded by the caller (the rows read grow with its buckets) and window.to <= now.
// Throws MissingStatusTable before `hc migrate`; std::runtime_error naming the database
// (password redacted) and table otherwise. Thread-safe; connections from `pool` when given.
std::optional<SiteDetail> read_site_detail(const ConsumerConfig& config, const std::string& digest,
                                           const SiteWindow& window, WallTime now,
                                           ConnectionPool* pool = nullptr);

}  // namespace hc
