#include "running_sums.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <vector>

#include "pg_sql.h"
#include "rollup_sql.h"

namespace hc::store {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

// The sites whose rollup rows of hours that already had running rows were rewritten by this
// close, each with the first such hour (note_running_changes_sql).
constexpr std::string_view kChangedSites = "pg_temp.hc_running_changed";

constexpr auto kRunningColumns = std::to_array<ColumnSpec>({
    {"hour", "timestamptz", 1, true},
    {"url_digest", "bytea", 1, true},
    {"checks", "bigint"},
    {"up_checks", "bigint"},
    {"latency_histogram", "int[]"},  // cumulative over buckets too, as the rollup's
    {"min_spans", "bigint[]"},       // kRunningSpanLevels elements, NULL where no response time
    {"max_spans", "bigint[]"},
});

// The running row of every site for the hour $1: the row of the hour before plus the hour's
// rollup row; span k from the hour's own min/max and spans j < k of the rows 2^j hours before
// ((H - 2^k, H] is H and the spans (H - 2^(j+1), H - 2^j] of the row at H - 2^j). The sites are
// those with a row the hour before or a rollup row this hour, so a site's rows stay dense; with
// `changed_only`, only those of them whose rollup rows changed at this hour or before
// (kChangedSites).
std::string running_hour_sql(std::string_view table, bool changed_only) {
  // The element-wise sum as one array expression: no per-site subquery.
  std::vector<std::string> histogram_sum;
  for (std::size_t i = 1; i <= kLatencyBuckets; ++i) {
    histogram_sum.push_back(fmt::format("p.latency_histogram[{0}] + r.latency_histogram[{0}]", i));
  }
  std::vector<std::string> prior_spans;
  std::vector<std::string> min_spans = {"r.min_response_us"};
  std::vector<std::string> max_spans = {"r.max_response_us"};
  for (int k = 1; k < kRunningSpanLevels; ++k) {
    prior_spans.push_back(fmt::format(
        "min(mn) FILTER (WHERE j < {0}) AS mn{0}, max(mx) FILTER (WHERE j < {0}) AS mx{0}", k));
    min_spans.push_back(fmt::format("least(r.min_response_us, sp.mn{})", k));
    max_spans.push_back(fmt::format("greatest(r.max_response_us, sp.mx{})", k));
  }
  return fmt::format(
      "(WITH prior AS (SELECT r.url_digest, j, r.min_spans[j + 1] AS mn, r.max_spans[j + 1] AS mx"
      " FROM generate_series(0, {last_prior}) AS j, {running} r"
      " WHERE r.hour = $1::timestamptz - (1 << j) * interval '1 hour'{changed}),"
      " spans AS (SELECT url_digest, {prior_spans} FROM prior GROUP BY url_digest),"
      " sites AS (SELECT url_digest FROM {running} r"
      " WHERE hour = $1::timestamptz - interval '1 hour'{changed}"
      " UNION SELECT url_digest FROM {rollup} r WHERE hour = $1::timestamptz{changed})"
      " SELECT $1::timestamptz AS hour, s.url_digest,"
      " coalesce(p.checks, 0) + coalesce(r.checks, 0) AS checks,"
      " coalesce(p.up_checks, 0) + coalesce(r.up_checks, 0) AS up_checks,"
      " CASE WHEN p.latency_histogram IS NULL THEN r.latency_histogram"
      " WHEN r.latency_histogram IS NULL THEN p.latency_histogram"
      " ELSE ARRAY[{histogram_sum}] END AS latency_histogram,"
      " ARRAY[{min_spans}]::bigint[] AS min_spans, ARRAY[{max_spans}]::bigint[] AS max_spans"
      " FROM sites s"
      " LEFT JOIN {running} p ON p.hour = $1::timestamptz - interval '1 hour'"
      " AND p.url_digest = s.url_digest"
      " LEFT JOIN {rollup} r ON r.hour = $1::timestamptz AND r.url_digest = s.url_digest"
      " LEFT JOIN spans sp ON sp.url_digest = s.url_digest) AS running_hour",
      fmt::arg("last_prior", kRunningSpanLevels - 2),
      fmt::arg("changed", changed_only
                              ? fmt::format(" AND r.url_digest IN (SELECT url_digest FROM {}"
                                            " WHERE from_hour <= $1::timestamptz)",
                                            kChangedSites)
                              : std::string()),
      fmt::arg("histogram_sum", fmt::join(histogram_sum, ", ")),
      fmt::arg("running", quote_identifier(hourly_running_name(table))),
      fmt::arg("rollup", quote_identifier(hourly_rollup_name(table))),
      fmt::arg("prior_spans", fmt::join(prior_spans, ", ")),
      fmt::arg("min_spans", fmt::join(min_spans, ", ")),
      fmt::arg("max_spans", fmt::join(max_spans, ", ")));
}

WallTime from_epoch_us(std::int64_t us) { return WallTime(microseconds(us)); }

}  // namespace

TableColumns hourly_running_columns() { return kRunningColumns; }

std::string hourly_running_relations_sql(std::string_view table) {
  return fmt::format(
      "{create};"
      "ALTER TABLE hc_rollup_state ADD COLUMN IF NOT EXISTS running_from timestamptz;"
      "ALTER TABLE hc_rollup_state ADD COLUMN IF NOT EXISTS running_until timestamptz",
      fmt::arg("create", migration_columns_sql(kRunningColumns,
                                               quote_identifier(hourly_running_name(table)), 1)));
}

void start_running_changes(pqxx::transaction_base& txn) {
  txn.exec0(
      "CREATE TEMP TABLE hc_running_changed (url_digest bytea PRIMARY KEY,"
      " from_hour timestamptz NOT NULL) ON COMMIT DROP");
}

std::string note_running_changes_sql(std::string_view upsert) {
  return fmt::format(
      "WITH written AS ({upsert} RETURNING hour, url_digest),"
      " noted AS (INSERT INTO {changed} AS c (url_digest, from_hour)"
      " SELECT url_digest, min(hour) FROM written"
      " WHERE hour < (SELECT running_until FROM hc_rollup_state WHERE table_name = $3)"
      " GROUP BY url_digest ON CONFLICT (url_digest)"
      " DO UPDATE SET from_hour = least(c.from_hour, EXCLUDED.from_hour))"
      " SELECT count(*) FROM written",
      fmt::arg("upsert", upsert), fmt::arg("changed", kChangedSites));
}

RunningClose close_running_sums(pqxx::transaction_base& txn, const std::string& table,
                                WallTime closed_until, WallTime keep_from) {
  const std::string running = quote_identifier(hourly_running_name(table));
  // The hours that have rows, and where the first close starts: the rollup's first hour.
  const pqxx::row state = txn.exec_params1(
      fmt::format("SELECT (extract(epoch FROM s.running_from) * 1000000)::bigint,"
                  " (extract(epoch FROM s.running_until) * 1000000)::bigint,"
                  " (SELECT (extract(epoch FROM min(hour)) * 1000000)::bigint FROM {})"
                  " FROM hc_rollup_state s WHERE s.table_name = $1",
                  quote_identifier(hourly_rollup_name(table))),
      table);
  // The first hour kept so far (unset before the first close).
  std::optional<WallTime> running_from;
  // Hours [start, closed_until) are computed for every site; hours [changed_start, start) for
  // the sites whose rollup rows changed, each from its first changed hour on.
  WallTime start = closed_until;
  std::optional<WallTime> changed_start;
  if (state[1].is_null()) {  // the first close: from the rollup's first hour
    if (!state[2].is_null()) {
      start = std::min(from_epoch_us(state[2].as<std::int64_t>()), closed_until);
    }
  } else {
    if (!state[0].is_null()) running_from = from_epoch_us(state[0].as<std::int64_t>());
    start = std::min(closed_until, from_epoch_us(state[1].as<std::int64_t>()));
    const pqxx::row changed = txn.exec1(fmt::format(
        "SELECT (extract(epoch FROM min(from_hour)) * 1000000)::bigint FROM {}", kChangedSites));
    if (!changed[0].is_null()) changed_start = from_epoch_us(changed[0].as<std::int64_t>());
  }
  // Rows are kept for the last kRunningKeepHours closed hours, or from the rollup retention's
  // keep_from if later: the rows after keep their sums (a window's difference does not need the
  // hours before it), a window reaching before running_from is read from the rollups, and no close
  // computes more than kRunningKeepHours hours of a site, however long ago its rows began or
  // however old the late row.
  const WallTime keep_rows_from = std::max(closed_until - hours(kRunningKeepHours), keep_from);
  if (!running_from || keep_rows_from > *running_from) running_from = keep_rows_from;
  start = std::max(start, *running_from);

  RunningClose computed;
  // The rows computed are counted whether the upsert writes them or finds them equal.
  auto compute = [&](WallTime from, WallTime to, bool changed_only) {
    const std::string sql = fmt::format(
        "WITH computed AS (SELECT * FROM {}), written AS ({}) SELECT count(*) FROM computed",
        running_hour_sql(table, changed_only),
        upsert_from_sql(kRunningColumns, hourly_running_name(table), "computed"));
    for (WallTime hour = from; hour < to; hour += hours(1)) {
      computed.rows += txn.exec_params1(sql, format_timestamp(hour))[0].as<std::size_t>();
      ++computed.hours;
    }
  };
  // The changed sites first: the hours after them (and the new hours) add to their rows.
  if (changed_start) compute(std::max(*changed_start, *running_from), start, true);
  compute(start, closed_until, false);
  txn.exec0(fmt::format("DROP TABLE {}", kChangedSites));
  txn.exec_params(fmt::format("DELETE FROM {} WHERE hour < $1::timestamptz", running),
                  format_timestamp(keep_rows_from));
  txn.exec_params0(
      "UPDATE hc_rollup_state SET running_from = NULLIF($2, '')::timestamptz,"
      " running_until = $3::timestamptz WHERE table_name = $1",
      table, running_from ? format_timestamp(*running_from) : std::string(),
      format_timestamp(closed_until));
  return computed;
}

}  // namespace hc::store
