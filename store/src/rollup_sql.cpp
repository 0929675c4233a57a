#include "rollup_sql.h"

#include <fmt/format.h>

#include <vector>

#include "pg_sql.h"

namespace hc::store {
namespace {

constexpr auto kRollupColumns = std::to_array<ColumnSpec>({
    {"hour", "timestamptz", 1, true},
    {"url_digest", "bytea", 1, true},
    {"uri", "text"},
    {"checks", "int"},
    {"up_checks", "int"},           // hc_measurement_up
    {"error_counts", "jsonb"},      // {"timeout": 2, ...}; {} without errors
    {"min_response_us", "bigint"},  // NULL when no check of the hour has a response time
    {"max_response_us", "bigint"},
    {"sum_response_us", "bigint"},
    {"latency_histogram", "int[]"},  // cumulative, kLatencyBuckets elements
});

// The daily rollup: the hourly rollup's numbers summed over a UTC day, without the error
// counts (nothing reads them per day; merging jsonb per row would cost more than the rest).
constexpr auto kDailyRollupColumns = std::to_array<ColumnSpec>({
    {"day", "timestamptz", 1, true},
    {"url_digest", "bytea", 1, true},
    {"uri", "text"},
    {"checks", "int"},
    {"up_checks", "int"},
    {"min_response_us", "bigint"},
    {"max_response_us", "bigint"},
    {"sum_response_us", "bigint"},
    {"latency_histogram", "int[]"},
});

// The days of the hourly rollup's rows in [from, to) (SQL expressions), one row per site and
// day, named like kDailyRollupColumns.
std::string days_from_hours_sql(std::string_view table, std::string_view from,
                                std::string_view to) {
  return fmt::format(
      "(SELECT {day} AS day, url_digest, min(uri) AS uri, sum(checks)::int AS checks,"
      " sum(up_checks)::int AS up_checks, min(min_response_us) AS min_response_us,"
      " max(max_response_us) AS max_response_us, sum(sum_response_us)::bigint AS sum_response_us,"
      " {histogram} AS latency_histogram FROM {rollup}"
      " WHERE hour >= {from} AND hour < {to} GROUP BY 1, 2) AS days",
      fmt::arg("day", day_of_sql("hour")),
      fmt::arg("histogram", histogram_sum_sql("latency_histogram")),
      fmt::arg("rollup", quote_identifier(hourly_rollup_name(table))), fmt::arg("from", from),
      fmt::arg("to", to));
}

// The latency histogram of one rollup row from per-bucket counts: element i is the checks in
// buckets 1..i (cumulative), built in one pass over the per-bucket rows of a site and hour.
std::string cumulative_histogram_sql(std::string_view bucket, std::string_view count) {
  std::vector<std::string> elements;
  for (std::size_t i = 1; i <= kLatencyBuckets; ++i) {
    elements.push_back(
        fmt::format("coalesce(sum({}) FILTER (WHERE {} <= {}), 0)::int", count, bucket, i));
  }
  return fmt::format("ARRAY[{}]", fmt::join(elements, ", "));
}

// An estimate of the k-th smallest response time (k an SQL expression, 1-based) of the
// cumulative histogram `histogram`: its bucket i is the first whose count reaches k (width_bucket's
// binary search over the cumulative counts), and the bucket's n checks are spread evenly over
// its range, the j-th at (j - 0.5) / n of the way from the lower bound to the upper.
std::string kth_value_sql(const std::string& k) {
  const std::string bucket = fmt::format("(width_bucket(({}) - 1, histogram) + 1)", k);
  const std::string before = fmt::format("coalesce(histogram[{} - 1], 0)", bucket);
  const std::string lower = fmt::format("coalesce((hc_latency_bounds())[{} - 1], 0)", bucket);
  const std::string upper = fmt::format("coalesce((hc_latency_bounds())[{}], max_us + 1)", bucket);
  return fmt::format("({0} + ({1} - 1 - {0}) * (({2}) - {3} - 0.5) / (histogram[{4}] - {3}))",
                     lower, upper, k, before, bucket);
}

// hc_histogram_percentile's body: one expression, so PostgreSQL inlines it where it is used
// (a call per site in `hc status`). Like percentile_cont: the fraction's position among the
// checks is r = 1 + fraction * (total - 1), and the value is interpolated between the estimates
// of the checks at floor(r) and ceil(r); clamped to [min_us, max_us].
std::string percentile_body_sql() {
  const std::string total = "histogram[cardinality(histogram)]";
  const std::string position = fmt::format("(1 + fraction * ({} - 1))", total);
  const std::string below = fmt::format("floor({})::int", position);
  const std::string above = fmt::format("ceil({})::int", position);
  return fmt::format(
      "SELECT CASE WHEN {0} > 0 THEN greatest(min_us, least(max_us, {1} + ({2} - floor({2})) * "
      "({3} - {1}))) END",
      total, kth_value_sql(below), position, kth_value_sql(above));
}

}  // namespace

TableColumns hourly_rollup_columns() { return kRollupColumns; }
TableColumns daily_rollup_columns() { return kDailyRollupColumns; }

std::string hour_of_sql(std::string_view expression) {
  // date_bin counts from a UTC origin: hours do not depend on the session's TimeZone (as
  // date_trunc's would), and it is plain arithmetic.
  return fmt::format("date_bin('1 hour', {}, timestamptz '2000-01-01 00:00:00+00')", expression);
}

std::string day_of_sql(std::string_view expression) {
  return fmt::format("date_bin('1 day', {}, timestamptz '2000-01-01 00:00:00+00')", expression);
}

std::string rollup_functions_sql() {
  return fmt::format(
      "CREATE OR REPLACE FUNCTION hc_latency_bounds() RETURNS bigint[]"
      " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$SELECT '{{{0}}}'::bigint[]$$;"
      "CREATE OR REPLACE FUNCTION hc_latency_bucket(response_time_us bigint) RETURNS int"
      " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
      " AS $$SELECT width_bucket(response_time_us, hc_latency_bounds()) + 1$$;"
      "CREATE OR REPLACE FUNCTION hc_histogram_percentile(histogram int[],"
      " fraction double precision, min_us bigint, max_us bigint) RETURNS double precision"
      " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $${1}$$;"
      "CREATE OR REPLACE FUNCTION hc_error_count_add(counts jsonb, error text, n bigint)"
      " RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
      " AS $$SELECT counts || jsonb_build_object(error, coalesce((counts->>error)::bigint, 0) + n)"
      "$$;"
      "CREATE OR REPLACE AGGREGATE hc_error_counts(text, bigint)"
      " (SFUNC = hc_error_count_add, STYPE = jsonb, INITCOND = '{{}}');"
      // No key: one marker per writing transaction and hour (see rollup_sql.h).
      "CREATE TABLE IF NOT EXISTS hc_rollup_pending (table_name text NOT NULL,"
      " hour timestamptz NOT NULL);"
      "CREATE INDEX IF NOT EXISTS hc_rollup_pending_table_hour"
      " ON hc_rollup_pending (table_name, hour);"
      "CREATE TABLE IF NOT EXISTS hc_rollup_state (table_name text PRIMARY KEY,"
      " closed_until timestamptz NOT NULL)",
      fmt::join(kLatencyBucketBoundsUs, ","), percentile_body_sql());
}

std::string hourly_rollup_relations_sql(std::string_view table) {
  const std::string quoted_table = quote_identifier(table);
  const std::string rollup = quote_identifier(hourly_rollup_name(table));
  const std::string from_raw = quote_identifier(hourly_from_raw_name(table));
  const std::string name = quote_literal(table);
  // The aggregate of an hour: first per site, hour, error class and latency bucket (one pass
  // over the raw rows), then per site and hour.
  const std::string from_raw_function = fmt::format(
      "CREATE OR REPLACE FUNCTION {from_raw}(from_time timestamptz, to_time timestamptz)"
      " RETURNS SETOF {rollup} LANGUAGE sql STABLE AS $$"
      "SELECT hour, url_digest, min(uri), sum(checks)::int, sum(up_checks)::int,"
      " hc_error_counts(error, checks), min(min_us), max(max_us), sum(sum_us)::bigint, {histogram}"
      " FROM (SELECT {hour} AS hour, url_digest, error,"
      " hc_latency_bucket(response_time_microseconds) AS bucket, min(uri) AS uri,"
      " count(*) AS checks, count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up_checks,"
      " min(response_time_microseconds) AS min_us, max(response_time_microseconds) AS max_us,"
      " sum(response_time_microseconds) AS sum_us"
      " FROM {table} WHERE measurement_time >= from_time AND measurement_time < to_time"
      " GROUP BY 1, 2, 3, 4) per_bucket"
      " GROUP BY hour, url_digest$$",
      fmt::arg("from_raw", from_raw), fmt::arg("rollup", rollup),
      fmt::arg("histogram", cumulative_histogram_sql("bucket", "checks")),
      fmt::arg("hour", hour_of_sql("measurement_time")), fmt::arg("table", quoted_table));
  // Closed hours from the rollup, unless late rows wait for the next close; every other hour
  // from the raw rows. The first nine columns are those of the view it replaces.
  const std::string view = fmt::format(
      "CREATE VIEW {hourly} AS"
      " WITH closed AS (SELECT coalesce((SELECT closed_until FROM hc_rollup_state"
      " WHERE table_name = {name}), '-infinity') AS until),"
      " late AS (SELECT DISTINCT p.hour FROM hc_rollup_pending p, closed"
      " WHERE p.table_name = {name} AND p.hour < closed.until)"
      " SELECT h.url_digest, h.uri, h.hour, h.checks::bigint AS checks,"
      " h.up_checks::bigint AS up_checks,"
      " round(100.0 * h.up_checks / h.checks, 2) AS uptime_percent,"
      " hc_histogram_percentile(h.latency_histogram, 0.5, h.min_response_us, h.max_response_us)"
      " AS p50_response_us,"
      " hc_histogram_percentile(h.latency_histogram, 0.95, h.min_response_us, h.max_response_us)"
      " AS p95_response_us,"
      " h.max_response_us,"
      " hc_histogram_percentile(h.latency_histogram, 0.99, h.min_response_us, h.max_response_us)"
      " AS p99_response_us,"
      " h.min_response_us, h.sum_response_us, h.error_counts, h.latency_histogram"
      " FROM (SELECT r.* FROM {rollup} r, closed"
      " WHERE r.hour < closed.until AND r.hour NOT IN (SELECT hour FROM late)"
      " UNION ALL SELECT f.* FROM closed, LATERAL {from_raw}(closed.until, 'infinity') f"
      " UNION ALL SELECT f.* FROM late, LATERAL {from_raw}(late.hour, late.hour + interval '1 "
      "hour')"
      " f) h",
      fmt::arg("hourly", quote_identifier(hourly_view_name(table))), fmt::arg("name", name),
      fmt::arg("rollup", rollup), fmt::arg("from_raw", from_raw));
  return fmt::format(
      "DROP VIEW IF EXISTS {hourly};"
      "{rollup_table};"
      "CREATE INDEX ON {rollup} (url_digest, hour);"
      // Rows arrive in time order, so block ranges map to time ranges; autosummarize keeps
      // the newest ranges summarized without waiting for a VACUUM.
      "CREATE INDEX ON {table} USING brin (measurement_time) WITH (autosummarize = on);"
      "{from_raw_function};"
      "{view};"
      "INSERT INTO hc_rollup_pending (table_name, hour)"
      " SELECT DISTINCT {name}, {hour} FROM {table}",
      fmt::arg("hourly", quote_identifier(hourly_view_name(table))),
      fmt::arg("rollup_table", migration_columns_sql(kRollupColumns, rollup, 1)),
      fmt::arg("rollup", rollup), fmt::arg("table", quoted_table),
      fmt::arg("from_raw_function", from_raw_function), fmt::arg("view", view),
      fmt::arg("name", name), fmt::arg("hour", hour_of_sql("measurement_time")));
}

std::string daily_rollup_relations_sql(std::string_view table) {
  const std::string daily = quote_identifier(daily_rollup_name(table));
  return fmt::format(
      "{create};"
      "CREATE INDEX ON {daily} (url_digest, day);"
      "INSERT INTO {daily} ({columns}) SELECT {columns} FROM {days}",
      fmt::arg("create", migration_columns_sql(kDailyRollupColumns, daily, 1)),
      fmt::arg("daily", daily),
      fmt::arg("columns", fmt::join(column_names(kDailyRollupColumns), ", ")),
      fmt::arg("days", days_from_hours_sql(table, "'-infinity'", "'infinity'")));
}

std::string close_days_sql(std::string_view table) {
  return upsert_from_sql(kDailyRollupColumns, daily_rollup_name(table),
                         days_from_hours_sql(table, "$1::timestamptz", "$2::timestamptz"));
}

std::string hours_of_sites_sql(std::string_view table, std::string_view from_hour,
                               std::string_view digests, const RollupBoundParams& bounds) {
  return fmt::format(
      "(SELECT url_digest, hour, checks, up_checks, latency_histogram, min_response_us,"
      " max_response_us FROM {rollup}"
      " WHERE url_digest = ANY({digests}) AND hour >= {from} AND hour < {closed}"
      " AND hour <> ALL({late})"
      " UNION ALL"
      " SELECT url_digest, hour, checks, up_checks, latency_histogram, min_response_us,"
      " max_response_us FROM {from_raw}(greatest({from}, {closed}), 'infinity')"
      " WHERE url_digest = ANY({digests})"
      " UNION ALL"
      " SELECT url_digest, hour, checks, up_checks, latency_histogram, min_response_us,"
      " max_response_us FROM {from_raw}({late_from}, {late_to})"
      " WHERE url_digest = ANY({digests}) AND hour = ANY({late}) AND hour >= {from})",
      fmt::arg("rollup", quote_identifier(hourly_rollup_name(table))),
      fmt::arg("from_raw", quote_identifier(hourly_from_raw_name(table))),
      fmt::arg("digests", digests), fmt::arg("from", from_hour),
      fmt::arg("closed", bounds.closed_until), fmt::arg("late", bounds.late_hours),
      fmt::arg("late_from", bounds.late_from), fmt::arg("late_to", bounds.late_to));
}

std::string days_of_sites_sql(std::string_view table, std::string_view first_day,
                              std::string_view digests, const RollupBoundParams& bounds) {
  // The days of the late hours, and the first day not wholly in the daily rollup (date_bin
  // refuses infinite times, hence the CASEs).
  const std::string late_days = fmt::format("ARRAY(SELECT {} FROM unnest({}) AS late(hour))",
                                            day_of_sql("late.hour"), bounds.late_hours);
  const std::string day_of_closed =
      fmt::format("CASE WHEN isfinite({0}) THEN {1} ELSE {0} END", bounds.closed_until,
                  day_of_sql(bounds.closed_until));
  const std::string day_of_late = fmt::format("CASE WHEN isfinite({0}) THEN {1} END",
                                              bounds.late_from, day_of_sql(bounds.late_from));
  const std::string hours_from =
      fmt::format("greatest({}, least({}, {}))", first_day, day_of_closed, day_of_late);
  return fmt::format(
      "(SELECT url_digest, day, checks::bigint AS checks, up_checks::bigint AS up_checks,"
      " latency_histogram, min_response_us, max_response_us FROM {daily}"
      " WHERE url_digest = ANY({digests}) AND day >= {first_day}"
      " AND day + interval '1 day' <= {closed} AND day <> ALL({late_days})"
      " UNION ALL"
      " SELECT url_digest, {hour_day}, sum(checks)::bigint, sum(up_checks)::bigint, {histogram},"
      " min(min_response_us), max(max_response_us) FROM {hours} AS h"
      " WHERE {hour_day} + interval '1 day' > {closed} OR {hour_day} = ANY({late_days})"
      " GROUP BY 1, 2)",
      fmt::arg("daily", quote_identifier(daily_rollup_name(table))), fmt::arg("digests", digests),
      fmt::arg("first_day", first_day), fmt::arg("closed", bounds.closed_until),
      fmt::arg("late_days", late_days), fmt::arg("hour_day", day_of_sql("h.hour")),
      fmt::arg("histogram", histogram_sum_sql("h.latency_histogram")),
      fmt::arg("hours", hours_of_sites_sql(table, hours_from, digests, bounds)));
}

std::string mark_pending_hours_sql() {
  return "INSERT INTO hc_rollup_pending (table_name, hour) SELECT $1, unnest($2::timestamptz[])";
}

std::string close_hours_sql(std::string_view table) {
  return upsert_from_sql(kRollupColumns, hourly_rollup_name(table),
                         fmt::format("{}($1::timestamptz, $2::timestamptz)",
                                     quote_identifier(hourly_from_raw_name(table))));
}

std::string histogram_sum_sql(std::string_view histogram) {
  std::vector<std::string> elements;
  for (std::size_t i = 1; i <= kLatencyBuckets; ++i) {
    elements.push_back(fmt::format("sum(({})[{}])", histogram, i));
  }
  return fmt::format("ARRAY[{}]::int[]", fmt::join(elements, ", "));
}

}  // namespace hc::store
