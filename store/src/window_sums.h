// Window sums: per site, the sums of the closed hours of the windows readers ask for most, kept
// by the close, so that `hc status --since 24h|7d|30d` and the month report read one row per
// site instead of a row per day or hour of the window (10,000 sites x 30 days is 300,000 rollup
// rows whose 62-element histograms PostgreSQL sums at ~3 µs each).
//
// `<table>_window_sums` (key: from_hour, until_hour, url_digest) holds, per site with checks in
// the range [from_hour, until_hour) of whole closed hours: checks, up_checks, min and max
// response time, and the latency histogram (rollup_sql.h: cumulative, kLatencyBuckets elements)
// stored as the text of the int[], formatted once by the close rather than by every reader.
// `hc_window_ranges` (table_name, from_hour, until_hour) lists the ranges that are complete: a
// site of <table>_latest without a row in a listed range had no check in it.
//
// The ranges, for C = closed_until after a close:
//   rolling  [C - W + 1 h, C) for W in kRollingWindows: the closed hours of `hc status --since W`
//            while the open hour is the one starting at C (the rest of its window, the part of
//            an hour at its start and the open hour, is raw rows);
//   months   [M, min(M + 1 month, C)) of the month holding the hour before C, and of every month
//            whose hours the close recomputed (a late row reaches its month's sums); the range
//            of a whole past month stays until the rollup retention reaches the month.
// Each is summed from the daily rollup for whole days and the hourly rollup for the hours
// before the range's first 00:00 UTC (the daily row of the day holding C - 1 h holds exactly
// its closed hours), so a range costs sites x (days + at most 23 hours) rollup rows, whatever
// the age of the data: a close's work is bounded.
//
// The close keeps them in its transaction, after the rollups, so the sums and the rollups
// always agree in one snapshot. A range is recomputed when its hours changed (a close that
// recomputed hours in it) or it is not listed yet (the first close after the migration);
// ranges neither wanted nor whole past months are deleted. A reader uses a range only when
// window_sums_cover says it is listed and none of its hours has a pending marker (late rows the
// next close will add): else it sums the rollups as before (status_report.cpp,
// month_report.cpp), so every reader is exact at any time.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <pqxx/transaction_base>
#include <set>
#include <string>
#include <string_view>

#include "hc/common/message.h"
#include "table_columns.h"

namespace hc::store {

// The `hc status` windows kept: 24 h, 7 d, 30 d (the windows of the status page's cards).
inline constexpr std::array<std::chrono::hours, 3> kRollingWindows = {
    std::chrono::hours(24), std::chrono::hours(24 * 7), std::chrono::hours(24 * 30)};

// The sums table's columns (key: from_hour, until_hour, url_digest).
TableColumns window_sums_columns();

// For `table`: the sums table and the database-wide bookkeeping table hc_window_ranges
// (idempotent). Filled by the next close. REQUIRES: the daily rollup exists.
std::string window_sums_relations_sql(std::string_view table);

struct WindowSumsClose {
  std::size_t ranges = 0;  // ranges computed
  std::size_t rows = 0;    // site rows written
};

// Keeps `table`'s sums in `txn` after a close (rollups.h) that left the rollups exact for every
// hour before `closed_until` and recomputed the hours in `recomputed_hours` (hour-aligned):
// computes the ranges above that changed or are missing, deletes those no longer kept, and the
// ranges starting before `keep_from` (the rollup retention; WallTime::min() for none).
WindowSumsClose close_window_sums(pqxx::transaction_base& txn, const std::string& table,
                                  WallTime closed_until, const std::set<WallTime>& recomputed_hours,
                                  WallTime keep_from);

// Whether `table`'s sums of [from, until) (timestamptz text, as RollupBounds holds them) can be
// read in `txn`'s snapshot: the range is listed and none of its hours has a pending marker.
bool window_sums_cover(pqxx::transaction_base& txn, const std::string& table,
                       const std::string& from, const std::string& until);

// A FROM item (give it an alias) of the sums of [from, until), whose bounds are the SQL
// expressions `from` and `until` (e.g. "$2::timestamptz"): the columns url_digest, checks,
// up_checks, histogram (int[] text), min_us, max_us. REQUIRES: window_sums_cover said yes.
std::string window_sums_rows_sql(std::string_view table, std::string_view from,
                                 std::string_view until);

}  // namespace hc::store
