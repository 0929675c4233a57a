// SQL text of the hourly rollups of a measurements table: the latency histogram, the shared
// SQL functions, the rollup table, the one aggregate of raw rows into hours, the
// `<table>_hourly` view, and the statements that close hours (rollups.h runs them).
//
// The design, in short:
// - `<table>_hourly_rollup` holds one row per site and CLOSED hour (UTC), recomputed whole from
//   the raw rows by `<table>_hourly_from_raw(from, to)`, the one definition of an hour's
//   aggregate (the view and `hc status` use it for hours that are not closed).
// - Every writer of raw rows records the hours it touched in `hc_rollup_pending`, one marker per
//   transaction and hour, in the transaction of the rows. Closing deletes the markers of ended
//   hours that it sees (committed, so their rows are visible to it) and recomputes those hours;
//   a marker committed later survives and is closed next time. So a late row, however late,
//   reaches the rollup at the next close, and closing again or replaying rows changes nothing.
// - `hc_rollup_state.closed_until` (per table) is the end of the hours closed so far. Readers
//   take closed hours from the rollup, except those with a pending marker (late rows not closed
//   yet), and every other hour from raw rows: exact at any time.
// - `<table>_daily_rollup` sums the hourly rollup per site and UTC day; closing recomputes the
//   days of the hours it closed. Readers take a day from it only when the whole day is closed
//   (day + 1 day <= closed_until) and none of its hours is pending; every other day from hours.
//
// Pure functions, no connection. Changing the text of a released migration's part changes that
// migration: pg_sql_test pins it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "table_columns.h"

namespace hc::store {

// Lower bounds in microseconds of the latency histogram's buckets 2..62 (bucket 1 is
// [0, 100 µs)): ten log-spaced bounds per decade (the Renard R10 series 1, 1.25, 1.6, 2, 2.5,
// 3.15, 4, 5, 6.3, 8) from 100 µs to 100 s, each bucket at most 26% wide. Bucket i (1-based)
// holds response times in [bound[i-1], bound[i]); the last one, 100 s and more.
// The histogram is stored cumulative, like Prometheus' `le` buckets: element i counts the
// checks faster than bucket i's upper bound, so the last element is the checks with a response
// time. Fixed forever: rollup rows of every age are summed element by element.
inline constexpr std::array<std::int64_t, 61> kLatencyBucketBoundsUs = {
    100,      125,      160,      200,      250,      315,      400,      500,      630,
    800,      1000,     1250,     1600,     2000,     2500,     3150,     4000,     5000,
    6300,     8000,     10000,    12500,    16000,    20000,    25000,    31500,    40000,
    50000,    63000,    80000,    100000,   125000,   160000,   200000,   250000,   315000,
    400000,   500000,   630000,   800000,   1000000,  1250000,  1600000,  2000000,  2500000,
    3150000,  4000000,  5000000,  6300000,  8000000,  10000000, 12500000, 16000000, 20000000,
    25000000, 31500000, 40000000, 50000000, 63000000, 80000000, 100000000};
inline constexpr std::size_t kLatencyBuckets = kLatencyBucketBoundsUs.size() + 1;

// The rollup table's columns (key: hour, url_digest).
TableColumns hourly_rollup_columns();

// The daily rollup's columns (key: day, url_digest): per site and UTC day, the sums of the
// day's closed hours in the hourly rollup (no error counts).
TableColumns daily_rollup_columns();

// The hour (UTC, whatever the session's time zone) that the timestamptz `expression` falls in.
std::string hour_of_sql(std::string_view expression);
// The UTC day (its 00:00) that the timestamptz `expression` falls in.
std::string day_of_sql(std::string_view expression);

// Database-wide, idempotent: the histogram and error-count functions and the bookkeeping tables
// (hc_rollup_pending, hc_rollup_state).
//   hc_latency_bounds()                 the bounds above, bigint[]
//   hc_latency_bucket(us bigint)        bucket 1..62 of a response time (NULL for NULL)
//   hc_histogram_percentile(histogram int[], fraction, min_us, max_us)
//       like percentile_cont(fraction) over the checks: the checks of a bucket taken as spread
//       evenly over it, interpolated between the two checks around the fraction's position,
//       clamped to [min_us, max_us]; NULL for an empty histogram. Within one bucket of the
//       exact value when the neighbouring checks are. The one definition of p50/p95/p99.
//   hc_error_counts(error text, n bigint)  aggregate: {"class": count, ...}, NULL classes skipped
std::string rollup_functions_sql();

// For `table`: the rollup table and its per-site index, a BRIN index on the raw rows'
// measurement_time (the hour ranges read by closing and by `hc status`), the function
// `<table>_hourly_from_raw`, the `<table>_hourly` view (replacing the older view) and a pending
// marker for every hour that already has raw rows, so the first close fills the rollup.
// REQUIRES: rollup_functions_sql() ran first.
std::string hourly_rollup_relations_sql(std::string_view table);

// For `table`: `<table>_daily_rollup` and its per-site index, filled from the hourly rollup.
// A day's row sums the day's hours in the hourly rollup; readers take it only for a day that
// is wholly closed and has no pending hour (rollups.h keeps it so). REQUIRES: the hourly
// rollup exists (hourly_rollup_relations_sql).
std::string daily_rollup_relations_sql(std::string_view table);

// Recomputes the days in [$1, $2) (timestamptz, day-aligned) of `table`'s daily rollup from its
// hourly rollup: an idempotent upsert that writes only rows whose values change.
std::string close_days_sql(std::string_view table);

// Placeholders ("$3") of a statement's parameters that carry a table's rollup bounds
// (status_tables.h, read_rollup_bounds). Bounds known when the statement is planned let
// PostgreSQL prune the raw table's partitions at plan time; a bound read inside the statement
// prunes only at run time, after every partition was planned (~0.7 ms each: a year of daily
// partitions is 250 ms).
struct RollupBoundParams {
  std::string closed_until;  // timestamptz: hours before it are closed
  std::string late_hours;    // timestamptz[]: closed hours whose late rows wait for the next close
  std::string late_from;     // timestamptz: the first of them ('-infinity' for none)
  std::string late_to;       // timestamptz: the end of the last of them ('-infinity' for none)
};

// A subquery (a FROM item once given an alias): per site and UTC hour from `from_hour` (an SQL
// expression, hour-aligned) on, for the sites whose url_digest is in `digests` (an SQL
// expression of a bytea[]), with the columns url_digest, hour, checks, up_checks,
// latency_histogram, min_response_us, max_response_us: closed hours from the hourly rollup,
// the others (late, open) aggregated from raw rows by <table>_hourly_from_raw. What the
// <table>_hourly view gives, with the bounds as parameters.
std::string hours_of_sites_sql(std::string_view table, std::string_view from_hour,
                               std::string_view digests, const RollupBoundParams& bounds);

// The same per UTC day from `first_day` (day-aligned) on, with the column `day` for `hour`: a
// day wholly closed without late hours from the daily rollup, every other day summed from
// hours_of_sites_sql. Exact at any time; the rows read grow with the sites and days, not with
// the checks.
std::string days_of_sites_sql(std::string_view table, std::string_view first_day,
                              std::string_view digests, const RollupBoundParams& bounds);

// Records hours with new raw rows: $1 the table name, $2 the hours as a timestamptz[].
std::string mark_pending_hours_sql();

// Recomputes the hours in [$1, $2) (timestamptz, hour-aligned) of `table` from its raw rows into
// its rollup: an idempotent upsert that writes only rows whose values change.
std::string close_hours_sql(std::string_view table);

// The element-wise sum of the int[] histograms `histogram` over a group, as int[].
std::string histogram_sum_sql(std::string_view histogram);

}  // namespace hc::store
