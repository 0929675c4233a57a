// `hc status`: per-site summary read back from the consumer's tables.
//
// Reads what the migrations create beside each table: <table>_latest (one row per site with
// its newest measurement, `select * from healthcheck_latest` in psql) and, for the window, the
// closed hours of the hourly rollup plus the raw rows of the hours not closed yet (the open
// hour, a partial first hour, hours with late rows). It never reads the raw rows of the whole
// window.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/store/connection_pool.h"

namespace hc {

struct SiteSummary {
  std::string table;
  std::string url;  // as shown: redact_url(uri, config.redact_query_params)
  // The newest measurement's check_type: "http", "tcp", "tls", "dns" or "icmp" ("http" for a site
  // that only an events table names).
  std::string check_type = "http";
  std::optional<int> last_status_code;
  // Unset for a site that only an events table names (no measurements route holds it).
  std::optional<WallTime> last_checked_at;
  std::optional<std::string> last_error;  // error class of the newest measurement
  // Conditions the newest measurement failed (empty when none, or from older producers).
  std::vector<std::string> last_failed_conditions;
  std::int64_t checks = 0;  // in the window
  // Up checks / checks in the window: up is the producer's verdict (`healthy`) when the
  // row has one, else "no error".
  double uptime_percent = 0;
  // From the window's latency histogram (hc_histogram_percentile): within one bucket.
  std::optional<std::int64_t> p50_response_us;
  std::optional<std::int64_t> p95_response_us;
  std::optional<double> cert_days_left;  // from the newest measurement, https only
  // The site's state from the newest event for its URL in the config's events tables
  // (routes with kind: events): "up", "down", or "unknown" when no event names the URL yet.
  // Unset when the config has no events table. A site that only the events tables name is
  // listed too (table: the events table; no measurement fields).
  std::optional<std::string> state;
  std::optional<WallTime> state_since;  // `at` of that event; unset without one
};

// Thrown by read_site_status when a table or view it reads does not exist (SQLSTATE 42P01,
// undefined_table): the database was never migrated. what() is one line naming the
// relation, the configured table and the database (password redacted).
class MissingStatusTable : public std::runtime_error {
 public:
  MissingStatusTable(const std::string& relation, const std::string& table,
                     const std::string& database);
};

// One row per site of every configured table, sorted by table (in configuration order) then URL (as
// bytes). `window` bounds the aggregates (uptime, percentiles), not which sites appear. Throws
// MissingStatusTable before `hc migrate`; std::runtime_error naming the database (password
// redacted) and table for any other failure.
std::vector<SiteSummary> read_site_status(const ConsumerConfig& config, std::chrono::seconds window,
                                          WallTime now);

// A terminal table: one line per site, columns aligned. The STATE and STATE SINCE columns
// appear only when some site has a state (the config has an events route); the TYPE column
// (check_type) only when some site's check is not http.
std::string render_status_table(const std::vector<SiteSummary>& sites);
// A JSON array of objects with the SiteSummary fields (snake_case names, check_type included);
// last_checked_at, state and state_since are null when unset; "state_source" is "events" beside a
// state, else null.
std::string render_status_json(const std::vector<SiteSummary>& sites);

// ---- The status page and its JSON API (`hc serve`) ----
//
// Both read <table>_latest, the daily rollup for whole closed days and <table>_hourly for the
// other hours (rollup_sql.h), only for the sites asked for, so their cost follows the sites
// and days shown, not the checks. Hours and days are UTC; numbers are exact at any time.

// Checks and up checks over a span of hours or days.
struct UptimeCount {
  std::int64_t checks = 0;
  std::int64_t up_checks = 0;
  // 100 * up / checks; nullopt when there were no checks.
  std::optional<double> percent() const;
};

// One UTC day of a site's uptime bar.
struct DailyUptime {
  WallTime day;  // 00:00 UTC
  UptimeCount count;
};

// Where a site's current state was read from.
enum class StateSource { kMeasurement, kEvents };
std::string_view state_source_name(StateSource source);  // "measurement", "events"

struct SiteOverview {
  std::string table;
  std::string url;                  // as shown: redact_url(uri, config.redact_query_params)
  std::string url_digest;           // of the exact URL (url_digest.h): names the site in links
  std::string check_type = "http";  // the newest measurement's: "http", "tcp", "tls", "dns", "icmp"
  // The site's current state (status_overview.cpp decides it, in one place): from the newest
  // state-change event when an events table in the same database has one for the site, else
  // from the newest measurement. `up` is state == "up"; `state` is "up", "down", or "unknown"
  // (an event to unknown); `state_since` is that event's `at`, unset without one.
  bool up = false;
  std::string state;
  std::optional<WallTime> state_since;
  StateSource state_source = StateSource::kMeasurement;
  WallTime last_checked_at;
  bool last_check_up = false;  // the newest measurement's verdict (hc_measurement_up)
  std::optional<int> last_status_code;
  std::optional<std::string> last_error;  // error class of the newest measurement
  std::vector<std::string> last_failed_conditions;
  std::optional<double> cert_days_left;  // from the newest measurement, https only
  // 24 h: the 24 whole UTC hours ending with the current (open) hour. 7 d and 30 d: whole UTC
  // days, today and the 6 (29) days before.
  UptimeCount uptime_24h;
  UptimeCount uptime_7d;
  UptimeCount uptime_30d;
  // The p95 of the checks of those 24 hours (hc_histogram_percentile of their summed
  // histograms).
  std::optional<std::int64_t> p95_response_us_24h;
  // The last kOverviewDays UTC days including today, oldest first; days without checks are
  // absent.
  std::vector<DailyUptime> days;
};

inline constexpr int kOverviewDays = 90;

// Which sites of the overview to read: every configured table's sites sorted by table (in
// configuration order) then URL, one list; the page is [offset, offset + limit) of it. The
// cost of a page follows `limit`, not the number of sites.
struct OverviewPage {
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct Overview {
  // Over all sites of all tables, not only the page: the page's summary line.
  std::size_t total_sites = 0;
  std::size_t up_sites = 0;         // up by the same rule as SiteOverview::up
  OverviewPage page;                // as asked for
  std::vector<SiteOverview> sites;  // the page, in the list's order
};

// The page `page` of the overview as of `now`. Throws MissingStatusTable before `hc migrate`;
// std::runtime_error naming the database (password redacted) and table for any other
// failure. Thread-safe: one connection per database per call, from `pool` when given.
Overview read_status_overview(const ConsumerConfig& config, WallTime now, const OverviewPage& page,
                              ConnectionPool* pool = nullptr);

enum class HistoryStep { kHour, kDay };

struct HistoryBucket {
  WallTime start;  // the bucket's first hour (step hour) or 00:00 UTC (step day)
  UptimeCount count;
  std::optional<std::int64_t> p95_response_us;  // of the bucket's checks (its histogram)
};

struct SiteHistory {
  std::string table;
  std::string url;                     // as shown: redact_url(uri, config.redact_query_params)
  std::vector<HistoryBucket> buckets;  // oldest first; buckets without checks are absent
};

// The buckets of the site whose url_digest (hex, url_digest.h) is `digest`, from the bucket
// holding `since` up to now. `table` empty: the first
// configured table that has the site; else only that table. nullopt when no (such) table has
// the site. REQUIRES: `since` is bounded by the caller (the rows read grow with the span).
// Throws like read_status_overview; connections from `pool` when given.
std::optional<SiteHistory> read_site_history(const ConsumerConfig& config,
                                             const std::string& digest, const std::string& table,
                                             WallTime since, HistoryStep step,
                                             ConnectionPool* pool = nullptr);

}  // namespace hc
