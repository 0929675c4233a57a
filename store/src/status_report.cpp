#include <fmt/format.h>

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
// 24 N, plus at most 46 edge hours.
// The rollups' rows come summed per site; the raw rows come counted per site and latency
// bucket (hc_latency_bucket, the rollup's own buckets), so each site's checks land in one
// histogram whichever part they are in. One result row per site and part (a site without
// checks in the window: one row with NULL parts), sorted by site; the parts are added up here,
// in C++ (LatencyHistogram), where percentiles of 10,000 sites cost microseconds rather than
// the ~10 µs per site that PostgreSQL's array expressions take.
// Parameters: $1 since, $2 first_hour, $3..$6 the table's RollupBounds (closed_until,
// late_hours, late_from, late_to: known when planned, so the raw table's partitions are pruned
// then), $7 now in microseconds since the epoch, $8 first_day, $9 days_closed_until, $10
// late_days. Time values come back as microseconds since the epoch, keeping the C++ side free
// of timestamp text parsing.
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
parts AS (
  SELECT url_digest, checks, up_checks, histogram, NULL::int AS bucket, min_us, max_us
  FROM closed
  UNION ALL
  SELECT url_digest, count(*), count(*) FILTER (WHERE hc_measurement_up(healthy, error)),
         NULL, hc_latency_bucket(response_time_microseconds),
         min(response_time_microseconds), max(response_time_microseconds)
  FROM raw_rows GROUP BY url_digest, hc_latency_bucket(response_time_microseconds))
SELECT l.uri, l.status_code,
       (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.error,
       extract(epoch FROM l.cert_expires_at - to_timestamp($7::double precision / 1e6)) / 86400.0,
       array_to_json(l.failed_conditions)::text,
       p.checks, p.up_checks, p.histogram, p.bucket, p.min_us, p.max_us, l.check_type
FROM {latest} l
LEFT JOIN parts p USING (url_digest)
ORDER BY l.uri, l.url_digest)",
      fmt::arg("latest", quote_identifier(store::latest_table_name(table))),
      fmt::arg("rollup", quote_identifier(store::hourly_rollup_name(table))),
      fmt::arg("daily", quote_identifier(store::daily_rollup_name(table))),
      fmt::arg("table", quote_identifier(table)),
      fmt::arg("histogram", store::histogram_sum_sql("latency_histogram")),
      fmt::arg("hour_of", store::hour_of_sql("measurement_time")));
}

// The same rows when the window's closed hours [$2, $3) are a range of the window sums
// (window_sums.h): one row of sums per site instead of its days and hours, the rest of the
// window ([$1, $2) and the hours from $3 on) from raw rows as above. $4: now in microseconds
// since the epoch.
std::string site_status_from_sums_sql(const std::string& table) {
  return fmt::format(
      R"(WITH raw_rows AS (
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= $1::timestamptz AND measurement_time < $2::timestamptz
  UNION ALL
  SELECT url_digest, healthy, error, response_time_microseconds FROM {table}
  WHERE measurement_time >= $3::timestamptz),
parts AS (
  SELECT url_digest, checks, up_checks, histogram, NULL::int AS bucket, min_us, max_us
  FROM {sums} AS sums
  UNION ALL
  SELECT url_digest, count(*), count(*) FILTER (WHERE hc_measurement_up(healthy, error)),
         NULL, hc_latency_bucket(response_time_microseconds),
         min(response_time_microseconds), max(response_time_microseconds)
  FROM raw_rows GROUP BY url_digest, hc_latency_bucket(response_time_microseconds))
SELECT l.uri, l.status_code,
       (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.error,
       extract(epoch FROM l.cert_expires_at - to_timestamp($4::double precision / 1e6)) / 86400.0,
       array_to_json(l.failed_conditions)::text,
       p.checks, p.up_checks, p.histogram, p.bucket, p.min_us, p.max_us, l.check_type
FROM {latest} l
LEFT JOIN parts p USING (url_digest)
ORDER BY l.uri, l.url_digest)",
      fmt::arg("latest", quote_identifier(store::latest_table_name(table))),
      fmt::arg("table", quote_identifier(table)),
      fmt::arg("sums", store::window_sums_rows_sql(table, "$2::timestamptz", "$3::timestamptz")));
}

// The first hour boundary at or after `time`.
WallTime hour_ceil(WallTime time) {
  const WallTime floor = store::hour_floor(time);
  return floor == time ? floor : floor + std::chrono::hours(1);
}

// The first 00:00 UTC at or after `time`.
WallTime day_ceil(WallTime time) {
  const WallTime floor = store::day_floor(time);
  return floor == time ? floor : floor + std::chrono::hours(24);
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
  if (!row[12].is_null()) site.check_type = row[12].as<std::string>();
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
  const WallTime first_hour = hour_ceil(since);
  const WallTime first_day = day_ceil(first_hour);
  std::vector<SiteSummary> sites;
  store::for_each_status_table(
      config, "status", [&](pqxx::transaction_base& transaction, const std::string& table) {
        // Both statements see the transaction's one snapshot: the rollup's bounds and the window.
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
        store::WindowTotal total;
        for (pqxx::result::size_type i = 0; i < rows.size(); ++i) {
          if (i == 0 || std::string_view(rows[i][0].c_str()) != rows[i - 1][0].c_str()) {
            if (i > 0) fill_window(total, sites.back());
            sites.push_back(site_of(table, rows[i]));
            total = store::WindowTotal();
          }
          total.add(rows[i], 6);
        }
        if (!rows.empty()) fill_window(total, sites.back());
        return true;
      });
  store::add_site_states(config, sites);  // matches events by the exact URL
  for (SiteSummary& site : sites) site.url = redact_url(site.url, config.redact_query_params);
  return sites;
}

}  // namespace hc
