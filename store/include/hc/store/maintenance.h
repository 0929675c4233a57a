// Table upkeep of the tables hc writes: what `hc maintain` runs once and the consumer runs
// every maintenance_interval (store/src/table_maintenance.h has the steps).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"

namespace hc {

// What one run did in one database.
struct DatabaseUpkeep {
  std::string database;  // the URI without its password
  // False when another process held the maintenance lock (and the caller chose not to wait),
  // or on error.
  bool ran = false;
  std::vector<std::string> actions;  // one line each: "table t: created partition ... for [a, b)"
  std::size_t partitions_created = 0;
  std::size_t partitions_dropped = 0;
  std::size_t rollup_hours_closed = 0;  // hours recomputed into the hourly rollups
  std::string error;                    // one line, no password; empty on success
};

// Runs every upkeep step for every configured table, per database under its maintenance lock
// (a session advisory lock): with wait_for_lock the call waits for it (up to the session's
// lock_timeout), else a database whose lock is held is skipped. `now` decides what is ahead
// and what has expired. Never throws for a database error: it is reported in `error`.
std::vector<DatabaseUpkeep> maintain_tables(const ConsumerConfig& config, WallTime now,
                                            bool wait_for_lock);

// How a run of one database ended (the label of hc_maintenance_runs_total).
enum class MaintenanceResult { kOk, kSkipped, kFailed };
std::string_view to_string(MaintenanceResult result);
MaintenanceResult result_of(const DatabaseUpkeep& upkeep);

}  // namespace hc
