#include "rollups.h"

#include <fmt/format.h>

#include <chrono>
#include <pqxx/pqxx>
#include <set>

#include "pg_sql.h"
#include "rollup_sql.h"
#include "window_sums.h"

namespace hc::store {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

// First key of the two-key advisory lock of closing; the second is hashtext(table).
constexpr int kRollupLockClass = 0x68635f72;  // "hc_r"

// Hours recomputed by one statement at most: bounds the aggregate's memory when a long
// stretch is pending (the first close of a big table, a replay of days).
constexpr int kMaxHoursPerStatement = 24;

std::string timestamp_text(WallTime time) { return format_timestamp(time); }

}  // namespace

WallTime hour_floor(WallTime time) {
  const auto since_epoch = time.time_since_epoch();
  auto hour = std::chrono::floor<hours>(since_epoch);
  return WallTime(std::chrono::duration_cast<microseconds>(hour));
}

WallTime day_floor(WallTime time) {
  const auto day = std::chrono::floor<std::chrono::days>(time.time_since_epoch());
  return WallTime(std::chrono::duration_cast<microseconds>(day));
}

WallTime hour_ceil(WallTime time) {
  const WallTime floor = hour_floor(time);
  return floor == time ? floor : floor + hours(1);
}

WallTime day_ceil(WallTime time) {
  const WallTime floor = day_floor(time);
  return floor == time ? floor : floor + hours(24);
}

RollupClose close_hourly_rollups(pqxx::transaction_base& txn, const std::string& table,
                                 WallTime now, int rollup_retention_days) {
  RollupClose result;
  result.closed_until = hour_floor(now);
  const WallTime keep_from = rollup_retention_days > 0
                                 ? result.closed_until - hours(24) * rollup_retention_days
                                 : WallTime::min();
  // The statements are a few large aggregates: JIT compilation would cost more than it saves.
  txn.exec0("SET LOCAL jit = off");
  txn.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kRollupLockClass, table);

  // Only committed markers are seen, and their rows are visible to every later statement of
  // this transaction; markers committed meanwhile stay for the next close.
  std::set<std::int64_t> pending_hours_us;
  for (const auto& row : txn.exec_params(
           "DELETE FROM hc_rollup_pending WHERE table_name = $1 AND hour < $2::timestamptz"
           " RETURNING (extract(epoch FROM hour) * 1000000)::bigint",
           table, timestamp_text(result.closed_until))) {
    const auto hour_us = row[0].as<std::int64_t>();
    if (WallTime(microseconds(hour_us)) >= keep_from) pending_hours_us.insert(hour_us);
  }
  result.hours_closed = pending_hours_us.size();

  // Consecutive hours are recomputed together: one pass over their raw rows.
  const std::string close_sql = close_hours_sql(table);
  const std::int64_t hour_us = microseconds(hours(1)).count();
  for (auto it = pending_hours_us.begin(); it != pending_hours_us.end();) {
    const std::int64_t from_us = *it;
    std::int64_t to_us = from_us + hour_us;
    ++it;
    while (it != pending_hours_us.end() && *it == to_us &&
           to_us - from_us < kMaxHoursPerStatement * hour_us) {
      to_us += hour_us;
      ++it;
    }
    const pqxx::result written =
        txn.exec_params(close_sql, timestamp_text(WallTime(microseconds(from_us))),
                        timestamp_text(WallTime(microseconds(to_us))));
    result.rows_written += written.affected_rows();
  }

  // The days of the hours recomputed, each recomputed whole from the hourly rollup.
  std::set<WallTime> days;
  for (const std::int64_t hour : pending_hours_us)
    days.insert(day_floor(WallTime(microseconds(hour))));
  const std::string close_day_sql = close_days_sql(table);
  for (const WallTime day : days) {
    const pqxx::result written =
        txn.exec_params(close_day_sql, timestamp_text(day), timestamp_text(day + hours(24)));
    result.daily_rows_written += written.affected_rows();
  }
  result.days_closed = days.size();

  // A process whose clock is behind another's leaves the later closed_until, and keeps the sums
  // of that one.
  const WallTime state_closed_until(microseconds(
      txn.exec_params1(
             "INSERT INTO hc_rollup_state (table_name, closed_until) VALUES ($1, $2::timestamptz)"
             " ON CONFLICT (table_name) DO UPDATE"
             " SET closed_until = greatest(hc_rollup_state.closed_until, EXCLUDED.closed_until)"
             " RETURNING (extract(epoch FROM closed_until) * 1000000)::bigint",
             table, timestamp_text(result.closed_until))[0]
          .as<std::int64_t>()));
  if (rollup_retention_days > 0) {
    const pqxx::result expired =
        txn.exec_params(fmt::format("DELETE FROM {} WHERE hour < $1::timestamptz",
                                    quote_identifier(hourly_rollup_name(table))),
                        timestamp_text(keep_from));
    result.rows_expired = expired.affected_rows();
    // Whole days only: a day that began before keep_from still has hours after it.
    const pqxx::result expired_days = txn.exec_params(
        fmt::format("DELETE FROM {} WHERE day + interval '1 day' <= $1::timestamptz",
                    quote_identifier(daily_rollup_name(table))),
        timestamp_text(keep_from));
    result.rows_expired += expired_days.affected_rows();
  }

  std::set<WallTime> recomputed_hours;
  for (const std::int64_t hour : pending_hours_us)
    recomputed_hours.insert(WallTime(microseconds(hour)));
  const WindowSumsClose sums =
      close_window_sums(txn, table, state_closed_until, recomputed_hours, keep_from);
  result.window_ranges = sums.ranges;
  result.window_rows = sums.rows;
  return result;
}

}  // namespace hc::store
