// Closing hourly rollups: recomputes, from the raw rows, every ended hour of a measurements
// table that has new rows since it was last closed (rollup_sql.h has the design), advances the
// table's closed_until, and deletes rollup rows past the rollup retention.
//
// One step of the table upkeep (table_maintenance.h: `hc maintain`, and the consumer at start
// and every maintenance_interval). Safe to run from several processes at once (a
// transaction-scoped advisory lock per table serializes them) and as often as wanted: an hour
// with no new rows is not read again, and recomputing one changes nothing.
#pragma once

#include <cstddef>
#include <pqxx/transaction_base>
#include <string>

#include "hc/common/message.h"

namespace hc::store {

// The start of the UTC hour that `time` falls in.
WallTime hour_floor(WallTime time);
// The start (00:00 UTC) of the day that `time` falls in.
WallTime day_floor(WallTime time);
// The first hour boundary, and the first 00:00 UTC, at or after `time`.
WallTime hour_ceil(WallTime time);
WallTime day_ceil(WallTime time);

struct RollupClose {
  std::size_t hours_closed = 0;  // distinct hours recomputed from raw rows
  std::size_t rows_written = 0;  // rollup rows inserted or changed
  std::size_t rows_expired = 0;  // hourly and daily rollup rows deleted by the retention
  std::size_t days_closed = 0;   // distinct days recomputed from the hourly rollup
  std::size_t daily_rows_written = 0;
  std::size_t window_ranges = 0;  // ranges of the window sums computed (window_sums.h)
  std::size_t window_rows = 0;    // their site rows
  WallTime closed_until;          // hours before this are in the rollup
};

// Closes the hours of `table` that ended by `now` (every hour before hour_floor(now)) in
// `txn`, which the caller commits, recomputes the daily rollup of the days those hours are in,
// then deletes rollup rows of hours older than `rollup_retention_days` before hour_floor(now)
// (0 = keep forever), and daily rows of days wholly before that, and last keeps the window sums
// (window_sums.h) of the hours closed. Pending hours older than the
// retention are dropped without being computed. REQUIRES: `table` is migrated (pg_migrations.h).
// Throws what libpqxx throws (then abort `txn`: nothing is changed).
RollupClose close_hourly_rollups(pqxx::transaction_base& txn, const std::string& table,
                                 WallTime now, int rollup_retention_days);

}  // namespace hc::store
