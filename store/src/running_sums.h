// Running sums per site and closed hour: a window of whole closed hours is one subtraction of two
// rows per site, whatever its length, instead of a sum over its hours or days.
//
// `<table>_hourly_running` has, for every site and every closed hour H from the site's first
// hour in the hourly rollup on (dense: an hour without checks has its row too):
//   checks, up_checks, latency_histogram   the sums of the site's hourly rollup rows of hours
//                                          in [running_from, H], so the window [A, B) of whole
//                                          hours is row(B - 1) - row(A - 1) (a missing row(A - 1):
//                                          zero, the site had no row yet);
//   min_spans[k + 1], max_spans[k + 1]     the least min_response_us (greatest max) of the hours
//                                          in (H - 2^k, H], k = 0..kRunningSpanLevels - 1, so the
//                                          window's min is the lesser of row(B - 1)'s and row(A - 1
//                                          + 2^k)'s span k, with 2^k <= B - A < 2^(k + 1) (a sparse
//                                          table: two spans that together cover [A, B) exactly).
// Windows up to kRunningMaxWindowHours (42 days) read three rows per site; longer ones, and
// windows holding a late hour (its rollup row is recomputed at the next close), read the
// rollups as before (status_report.cpp).
//
// Kept by the close (rollups.h), in the transaction that closes hours: the newly closed hours of
// every site, and the hours of a site whose rollup rows of earlier hours changed (a late row)
// from the first of them on, are recomputed from the hour before, so the rows always agree with
// the hourly rollup of the same snapshot.
// hc_rollup_state.running_until is the end of the hours that have rows, running_from the first
// hour kept (the sums of the rows after it count from the site's first hour; NULL before the
// first close): a reader uses the table only for windows with B <= running_until and
// A - 1 >= running_from.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <string_view>

#include "hc/common/message.h"
#include "table_columns.h"

namespace hc::store {

// Spans of 1, 2, 4 .. 512 hours: any window of up to 1023 hours is covered by two of them.
inline constexpr int kRunningSpanLevels = 10;
inline constexpr int kRunningMaxWindowHours = (1 << kRunningSpanLevels) - 1;
// Rows are kept for the last 64 days of closed hours (fewer with a shorter rollup retention):
// every `hc status` window, and the month report of this month and the last. A table has at most
// sites x 1536 rows, and no close computes more than 1536 hours.
inline constexpr int kRunningKeepHours = 64 * 24;

// The table's columns (key: hour, url_digest).
TableColumns hourly_running_columns();

// For `table`: the running table, and hc_rollup_state's columns running_from and running_until
// (database-wide, idempotent). Filled by the next close. REQUIRES: the hourly rollup exists.
std::string hourly_running_relations_sql(std::string_view table);

// The close notes which sites' running sums a late row changed, in `txn`:
// start_running_changes makes the (temporary) table of them, and note_running_changes_sql(
// upsert) is the rollup's upsert (hours $1..$2, table name $3) noting every site whose rollup row
// of an hour that already has running rows it wrote, with its first such hour; it returns the
// number of rollup rows written. close_running_sums reads and drops the table.
void start_running_changes(pqxx::transaction_base& txn);
std::string note_running_changes_sql(std::string_view upsert);

// Recomputes the running rows of `table`, in `txn`, from the hourly rollup and the running rows
// of the hours before them: of the sites noted (above), each from its first changed hour on;
// of every site, the hours from the last close's end to `closed_until` (hour-aligned); and
// records the hours that have rows in hc_rollup_state. A late row costs its site's hours only
// (at most kRunningKeepHours rows), not sites x hours. The first close starts at the rollup's
// first hour. Rows of hours before the last kRunningKeepHours closed hours, or before
// `keep_from` (the rollup retention; WallTime::min() for none) if later, are deleted, and
// running_from becomes that hour.
struct RunningClose {
  std::size_t hours = 0;  // distinct hours computed
  std::size_t rows = 0;   // (site, hour) rows computed (written or found equal): the close's cost
};
RunningClose close_running_sums(pqxx::transaction_base& txn, const std::string& table,
                                WallTime closed_until, WallTime keep_from);

}  // namespace hc::store
