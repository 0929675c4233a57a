#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "hc/common/url_redaction.h"
#include "hc/store/status.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "rollups.h"
#include "status_states.h"
#include "status_tables.h"
#include "window_sums.h"
#include "window_total.h"

namespace hc {
namespace {

using store::quote_identifier;

// The window's numbers per site, read without scanning the raw rows of the whole window:
//   [since, first_hour)         the part of an hour at the window's start: raw rows
//   [first_day, days_until)     whole UTC days, closed and without late rows: the daily rollup
//   the other hours of [first_hour, closed_until)  closed hours: the hourly rollup, except
//                               hours with late rows that wait for the next close (pending
//                               markers): raw rows of those hours
//   [max(first_hour, closed_until), ...)  hours not closed yet (the open hour): raw rows
// where first_day is the first 00:00 UTC at or after first_hour and days_until the later of
// first_day and the end of the whole days closed (RollupBounds::days_closed_until). A day with
// a late hour is read by its hours, as the overview's days are (days_of_sites_sql), so each
// check is in exactly one part. A window of N days reads about N rollup rows per site, not
// 24 N, plus at most 46 edge hours; when the window sums hold its closed hours
// (site_status_from_sums_sql), one row per site.
//
// One result row per site of <table>_latest, in no order (sorting 10,000 URLs that share their
// first bytes costs PostgreSQL ~40 ms; C++ sorts them in microseconds): the newest
// measurement's columns (site_of), then the closed part summed (kClosedColumn: WindowTotal's
// closed columns, NULL without closed checks) and the raw part counted per latency bucket
// (kRawColumn: its raw columns, NULL without raw checks), both in the rollup's buckets, so
// each check lands in one histogram whichever part it is in; the parts are added up in C++
// (WindowTotal), where percentiles of 10,000 sites cost microseconds rather than the ~10 µs
// per site that PostgreSQL's array expressions take.
constexpr pqxx::row::size_type kClosedColumn = 7;
constexpr pqxx::row::size_type kRawColumn = 12;

// The statement's end: the raw part (raw_rows, a CTE the caller defines) per site, and the
// result rows from <table>_latest, `closed` (a CTE with one row per site: url_digest, checks,
// up_checks, histogram, min_us, max_us) and that raw part. $now_us: the parameter with now in
// microseconds since the epoch.
std::string site_rows_sql(const std::string& table, std::string_view now_us) {
  return fmt::format(
      R"(raw_parts AS {raw_part}
SELECT l.uri, l.status_code,
       (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.error,
       extract(epoch FROM l.cert_expires_at - to_timestamp({now_us}::double precision / 1e6))
         / 86400.0,
       array_to_json(l.failed_conditions)::text, l.check_type,
       c.checks, c.up_checks, c.histogram, c.min_us, c.max_us,
       r.checks, r.up_checks, r.buckets, r.min_us, r.max_us
FROM {latest} l
LEFT JOIN closed c USING (url_digest)
LEFT JOIN raw_parts r USING (url_digest))",
      fmt::arg("latest", quote_identifier(store::latest_table_name(table))),
      fmt::arg("now_us", now_us), fmt::arg("raw_part", store::raw_part_sql("raw_rows")));
}

// Parameters: $1 since, $2 first_hour, $3..$6 the table's RollupBounds (closed_until,
// late_hours, late_from, late_to: known when planned, so the raw table's partitions are pruned
// then), $7 now in microseconds since the epoch, $8 first_day, $9 days_closed_until, $10
// late_days.
std::string site_status_sql(const std::string& table) {
  return fmt::format(
      R"(WITH days AS (SELECT greatest($8::timestamptz, $9::timestamptz) AS until),
rollup_parts AS (
  SELECT r.url_digest, r.checks, r.up_checks, r.latency_histogram, r.min_response_us,
         r.max_response_us
  FROM {rollup} r
  WHERE r.hour >= $2::timestamptz AND r.hour < least($3::timestamptz, $8::timestamptz)
    AND r.hour <> ALL($4::timestamptz[])
  UNION ALL
  SELECT r.url_digest, r.checks, r.up_checks, r.latency_histogram, r.min_response_us,
         r.max_response_us
  FROM {rollup} r, days
  WHERE r.hour >= greatest($2::timestamptz, days.until) AND r.hour < $3::timestamptz
    AND r.hour <> ALL($4::timestamptz[])
  UNION ALL
  SELECT r.url_digest, r.checks, r.up_checks, r.latency_histogram, r.min_response_us,
         r.max_response_us
  FROM days, unnest($10::timestamptz[]) AS late(day), {rollup} r
  WHERE late.day >= $8::timestamptz AND late.day < days.until
    AND r.hour >= late.day AND r.hour < late.day + interval '1 day'
    AND r.hour <> ALL($4::timestamptz[])
  UNION ALL
  SELECT d.url_digest, d.checks, d.up_checks, d.latency_histogram, d.min_response_us,
         d.max_response_us
  FROM {daily} d, days
  WHERE d.day >= $8::timestamptz AND d.day < days.until AND d.day <> ALL($10::timestamptz[])),
closed AS (
  SELECT url_digest, sum(checks)::bigint AS checks, sum(up_checks)::bigint AS up_checks,
         {histogram} AS histogram, min(min_response_us) AS min_us, max(max_response_us) AS max_us
  FROM rollup_parts
  GROUP BY url_digest),
raw_rows AS (
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= $1::timestamptz AND measurement_time < $2::timestamptz
  UNION ALL
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= greatest($2::timestamptz, $3::timestamptz)
  UNION ALL
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= greatest($2::timestamptz, $5::timestamptz)
    AND measurement_time < $6::timestamptz
    AND {hour_of} = ANY($4::timestamptz[])),
{rows})",
      fmt::arg("rollup", quote_identifier(store::hourly_rollup_name(table))),
      fmt::arg("daily", quote_identifier(store::daily_rollup_name(table))),
      fmt::arg("table", quote_identifier(table)),
      fmt::arg("histogram", store::histogram_sum_sql("latency_histogram")),
      fmt::arg("hour_of", store::hour_of_sql("measurement_time")),
      fmt::arg("rows", site_rows_sql(table, "$7")));
}

// The same rows when the window's closed hours [$2, $3) are a range of the window sums
// (window_sums.h): one row of sums per site instead of its days and hours, the rest of the
// window ([$1, $2) and the hours from $3 on) from raw rows as above. $4: now in microseconds
// since the epoch.
std::string site_status_from_sums_sql(const std::string& table) {
  return fmt::format(
      R"(WITH closed AS {sums},
raw_rows AS (
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= $1::timestamptz AND measurement_time < $2::timestamptz
  UNION ALL
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= $3::timestamptz),
{rows})",
      fmt::arg("table", quote_identifier(table)),
      fmt::arg("sums", store::window_sums_rows_sql(table, "$2::timestamptz", "$3::timestamptz")),
      fmt::arg("rows", site_rows_sql(table, "$4")));
}

using store::optional_field;

// The site of a result row (its newest measurement), without the window's numbers.
SiteSummary site_of(const std::string& table, const pqxx::row& row) {
  SiteSummary site;
  site.table = table;
  site.url = row[0].as<std::string>();
  site.last_status_code = optional_field<int>(row[1]);
  site.last_checked_at = WallTime(std::chrono::microseconds(row[2].as<std::int64_t>()));
  site.last_error = optional_field<std::string>(row[3]);
  site.cert_days_left = optional_field<double>(row[4]);
  if (!row[6].is_null()) site.check_type = row[6].as<std::string>();
  if (!row[5].is_null()) {
    // A JSON array from PostgreSQL itself; a NULL element (written by hand) is skipped.
    for (const auto& condition : nlohmann::json::parse(row[5].c_str())) {
      if (condition.is_string()) site.last_failed_conditions.push_back(condition);
    }
  }
  return site;
}

// Sets the window's numbers of `site` from its parts.
void fill_window(const store::WindowTotal& total, SiteSummary& site) {
  site.checks = total.checks();
  site.uptime_percent = total.uptime_percent();
  site.p50_response_us = total.percentile(0.5);
  site.p95_response_us = total.percentile(0.95);
}

}  // namespace

MissingStatusTable::MissingStatusTable(const std::string& relation, const std::string& table,
                                       const std::string& database)
    : std::runtime_error(fmt::format("{} does not exist in {} (table {} is not migrated)", relation,
                                     database, table)) {}

std::vector<SiteSummary> read_site_status(const ConsumerConfig& config, std::chrono::seconds window,
                                          WallTime now) {
  const std::int64_t now_us = now.time_since_epoch().count();
  const WallTime since = now - std::chrono::duration_cast<std::chrono::microseconds>(window);
  const WallTime first_hour = store::hour_ceil(since);
  const WallTime first_day = store::day_ceil(first_hour);
  std::vector<SiteSummary> sites;
  store::for_each_status_table(
      config, "status", [&](pqxx::transaction_base& transaction, const std::string& table) {
        // Both statements see the transaction's one snapshot: the rollup's bounds and the window.
        const std::size_t table_first = sites.size();
        const store::RollupBounds bounds = store::read_rollup_bounds(transaction, table);
        const std::string first_hour_text = format_timestamp(first_hour);
        const pqxx::result rows =
            store::window_sums_cover(transaction, table, first_hour_text, bounds.closed_until)
                ? transaction.exec_params(site_status_from_sums_sql(table), format_timestamp(since),
                                          first_hour_text, bounds.closed_until, now_us)
                : transaction.exec_params(site_status_sql(table), format_timestamp(since),
                                          first_hour_text, bounds.closed_until, bounds.late_hours,
                                          bounds.late_from, bounds.late_to, now_us,
                                          format_timestamp(first_day), bounds.days_closed_until,
                                          bounds.late_days);
        sites.reserve(sites.size() + rows.size());
        for (const auto& row : rows) {
          SiteSummary& site = sites.emplace_back(site_of(table, row));
          store::WindowTotal total;
          total.add_closed(row, kClosedColumn);
          total.add_raw(row, kRawColumn);
          fill_window(total, site);
        }
        std::sort(sites.begin() + static_cast<std::ptrdiff_t>(table_first), sites.end(),
                  [](const SiteSummary& a, const SiteSummary& b) { return a.url < b.url; });
        return true;
      });
  store::add_site_states(config, sites);  // matches events by the exact URL
  for (SiteSummary& site : sites) site.url = redact_url(site.url, config.redact_query_params);
  return sites;
}

}  // namespace hc
