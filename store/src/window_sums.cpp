#include "window_sums.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <utility>

#include "pg_sql.h"
#include "rollup_sql.h"
#include "rollups.h"

namespace hc::store {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

constexpr auto kWindowSumsColumns = std::to_array<ColumnSpec>({
    {"from_hour", "timestamptz", 1, true},
    {"until_hour", "timestamptz", 1, true},
    {"url_digest", "bytea", 1, true},
    {"checks", "bigint"},
    {"up_checks", "bigint"},
    {"latency_histogram", "text"},  // the int[]'s text: "{0,3,...,9}"
    {"min_response_us", "bigint"},
    {"max_response_us", "bigint"},
});

// A range of whole hours [from, until).
using Range = std::pair<WallTime, WallTime>;

WallTime from_epoch_us(std::int64_t us) { return WallTime(microseconds(us)); }

// The first instant (00:00 UTC of the 1st) of the month holding `time`, and of the next month.
WallTime month_start(WallTime time) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(time)};
  return WallTime(std::chrono::sys_days(day.year() / day.month() / 1));
}
WallTime next_month(WallTime month) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(month)};
  const std::chrono::year_month next = day.year() / day.month() + std::chrono::months(1);
  return WallTime(std::chrono::sys_days(next / 1));
}

// A whole calendar month: kept after it ended, for reports of past months.
bool whole_month(const Range& range) {
  return month_start(range.first) == range.first && next_month(range.first) == range.second;
}

// The rows of the range [$1, $2).
std::string delete_range_sql(std::string_view table) {
  return fmt::format(
      "DELETE FROM {} WHERE from_hour = $1::timestamptz AND until_hour = $2::timestamptz",
      quote_identifier(window_sums_name(table)));
}

// Inserts the rows of the range [$1, $2), the sums of its closed hours: the hours before its
// first 00:00 UTC ($3) from the hourly rollup, the days from it from the daily rollup.
// REQUIRES: the range has no rows (delete_range_sql).
std::string compute_range_sql(std::string_view table) {
  const std::string sums = quote_identifier(window_sums_name(table));
  return fmt::format(
      "INSERT INTO {sums} (from_hour, until_hour, url_digest, checks, up_checks,"
      " latency_histogram, min_response_us, max_response_us)"
      " SELECT $1::timestamptz, $2::timestamptz, url_digest, sum(checks)::bigint,"
      " sum(up_checks)::bigint, ({histogram})::text, min(min_response_us), max(max_response_us)"
      " FROM (SELECT url_digest, checks, up_checks, latency_histogram, min_response_us,"
      " max_response_us FROM {hourly} WHERE hour >= $1::timestamptz"
      " AND hour < least($3::timestamptz, $2::timestamptz)"
      " UNION ALL"
      " SELECT url_digest, checks, up_checks, latency_histogram, min_response_us,"
      " max_response_us FROM {daily} WHERE day >= $3::timestamptz AND day < $2::timestamptz)"
      " AS parts GROUP BY url_digest",
      fmt::arg("sums", sums), fmt::arg("histogram", histogram_sum_sql("latency_histogram")),
      fmt::arg("hourly", quote_identifier(hourly_rollup_name(table))),
      fmt::arg("daily", quote_identifier(daily_rollup_name(table))));
}

}  // namespace

TableColumns window_sums_columns() { return kWindowSumsColumns; }

std::string window_sums_relations_sql(std::string_view table) {
  return fmt::format(
      "{create};"
      "CREATE TABLE IF NOT EXISTS hc_window_ranges (table_name text NOT NULL,"
      " from_hour timestamptz NOT NULL, until_hour timestamptz NOT NULL,"
      " PRIMARY KEY (table_name, from_hour, until_hour))",
      fmt::arg("create", migration_columns_sql(kWindowSumsColumns,
                                               quote_identifier(window_sums_name(table)), 1)));
}

WindowSumsClose close_window_sums(pqxx::transaction_base& txn, const std::string& table,
                                  WallTime closed_until, const std::set<WallTime>& recomputed_hours,
                                  WallTime keep_from) {
  std::set<Range> listed;
  for (const auto& row : txn.exec_params("SELECT (extract(epoch FROM from_hour) * 1000000)::bigint,"
                                         " (extract(epoch FROM until_hour) * 1000000)::bigint"
                                         " FROM hc_window_ranges WHERE table_name = $1",
                                         table)) {
    listed.emplace(from_epoch_us(row[0].as<std::int64_t>()),
                   from_epoch_us(row[1].as<std::int64_t>()));
  }
  auto changed = [&](const Range& range) {
    const auto first = recomputed_hours.lower_bound(range.first);
    return first != recomputed_hours.end() && *first < range.second;
  };

  // Each range kept, and whether it must be computed now.
  std::map<Range, bool> wanted;
  auto want = [&](const Range& range) {
    if (range.first >= range.second || range.first < keep_from) return;
    wanted[range] = listed.count(range) == 0 || changed(range);
  };
  for (const hours window : kRollingWindows) {
    want({closed_until - window + hours(1), closed_until});
  }
  auto month_of = [&](WallTime hour) {
    const WallTime month = month_start(hour);
    return Range{month, std::min(next_month(month), closed_until)};
  };
  want(month_of(closed_until - hours(1)));
  for (const WallTime hour : recomputed_hours) {
    if (hour < closed_until) want(month_of(hour));
  }

  const std::string delete_sql = delete_range_sql(table);
  for (const Range& range : listed) {
    if (wanted.count(range) != 0) continue;
    if (whole_month(range) && range.first >= keep_from) continue;
    const std::string from = format_timestamp(range.first);
    const std::string until = format_timestamp(range.second);
    txn.exec_params0(delete_sql, from, until);
    txn.exec_params0(
        "DELETE FROM hc_window_ranges WHERE table_name = $1 AND from_hour = $2::timestamptz"
        " AND until_hour = $3::timestamptz",
        table, from, until);
  }

  WindowSumsClose computed;
  const std::string compute_sql = compute_range_sql(table);
  for (const auto& [range, compute] : wanted) {
    if (!compute) continue;
    const std::string from = format_timestamp(range.first);
    const std::string until = format_timestamp(range.second);
    txn.exec_params0(delete_sql, from, until);
    computed.rows +=
        txn.exec_params(compute_sql, from, until, format_timestamp(day_ceil(range.first)))
            .affected_rows();
    txn.exec_params0(
        "INSERT INTO hc_window_ranges (table_name, from_hour, until_hour)"
        " VALUES ($1, $2::timestamptz, $3::timestamptz) ON CONFLICT DO NOTHING",
        table, from, until);
    ++computed.ranges;
  }
  return computed;
}

bool window_sums_cover(pqxx::transaction_base& txn, const std::string& table,
                       const std::string& from, const std::string& until) {
  return txn
      .exec_params1(
          "SELECT EXISTS (SELECT 1 FROM hc_window_ranges WHERE table_name = $1"
          " AND from_hour = $2::timestamptz AND until_hour = $3::timestamptz)"
          " AND NOT EXISTS (SELECT 1 FROM hc_rollup_pending WHERE table_name = $1"
          " AND hour >= $2::timestamptz AND hour < $3::timestamptz)",
          table, from, until)[0]
      .as<bool>();
}

std::string window_sums_rows_sql(std::string_view table, std::string_view from,
                                 std::string_view until) {
  return fmt::format(
      "(SELECT url_digest, checks, up_checks, latency_histogram AS histogram,"
      " min_response_us AS min_us, max_response_us AS max_us FROM {}"
      " WHERE from_hour = {} AND until_hour = {})",
      quote_identifier(window_sums_name(table)), from, until);
}

}  // namespace hc::store
