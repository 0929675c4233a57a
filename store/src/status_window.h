// A window's numbers per site from the running sums (running_sums.h): what `hc status` reads for
// its window, and the month report for its month, when the running sums cover the window.
//
// Thread: any; the caller owns the transaction.
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "hc/common/message.h"
#include "hc/store/status.h"
#include "status_tables.h"

namespace hc::store {

// Every site of <table>_latest (sorted by URL; url not redacted) with its checks, up checks and
// p50/p95 of [since, until) (`until` unset: up to now): the partial hour at the start and the
// hours not closed yet from raw rows, the closed hours from the running sums. nullopt when the
// running sums do not cover the window's closed hours (none in it, a late hour in it, longer than
// kRunningMaxWindowHours, or hours before the running sums began): then read the rollups.
// `bounds` are read_rollup_bounds(transaction, table).
std::optional<std::vector<SiteSummary>> read_window_from_running_sums(
    pqxx::transaction_base& transaction, const std::string& table, const RollupBounds& bounds,
    WallTime since, std::optional<WallTime> until, WallTime now);

}  // namespace hc::store
