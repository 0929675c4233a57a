#include "table_maintenance.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <pqxx/pqxx>

#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "partition_catalog.h"
#include "rollups.h"

namespace hc::store {
namespace {

// Arbitrary but fixed: every hc process maintaining this database takes the same lock.
constexpr long long kMaintenanceLockKey = 0x68635f6d6e74;  // "hc_mnt"

void create_partitions_ahead(pqxx::work& txn, const TableSpec& table, WallTime now,
                             DatabaseUpkeep& report) {
  const EnsuredPartitions ensured =
      ensure_partitions(txn, table.name, intervals_ahead(table.partition_interval, now),
                        table.partition_interval, now);
  for (const auto& created : ensured.created) {
    report.actions.push_back(fmt::format("table {}: created partition {} for {}", table.name,
                                         created.name, describe(created.range)));
    ++report.partitions_created;
  }
}

void drop_expired_partitions(pqxx::work& txn, const TableSpec& table, WallTime now,
                             DatabaseUpkeep& report) {
  if (table.retention_days <= 0) return;
  lock_partitions(txn, table.name);
  for (const auto& expired :
       expired_partitions(list_partitions(txn, table.name), now, table.retention_days)) {
    drop_partition(txn, expired.name);
    report.actions.push_back(
        fmt::format("table {}: dropped partition {} for {} (older than retention_days {})",
                    table.name, expired.name, describe(expired.range), table.retention_days));
    ++report.partitions_dropped;
  }
}

void close_rollups(pqxx::work& txn, const TableSpec& table, WallTime now, DatabaseUpkeep& report) {
  const RollupClose closed =
      close_hourly_rollups(txn, table.name, now, table.rollup_retention_days);
  // A quiet run says nothing.
  if (closed.hours_closed == 0 && closed.rows_expired == 0 && closed.window_ranges == 0) return;
  report.actions.push_back(fmt::format(
      "table {}: hourly rollups closed up to {} ({} hours recomputed, {} rows written; {} days "
      "recomputed, {} daily rows written; {} window sums computed, {} site rows; {} older than "
      "rollup_retention_days {} deleted)",
      table.name, format_timestamp(closed.closed_until), closed.hours_closed, closed.rows_written,
      closed.days_closed, closed.daily_rows_written, closed.window_ranges, closed.window_rows,
      closed.rows_expired, table.rollup_retention_days));
  report.rollup_hours_closed += closed.hours_closed;
}

// Releases the session-level maintenance lock however the run ends (if the connection broke,
// the server released it already).
class MaintenanceLock {
 public:
  explicit MaintenanceLock(pqxx::connection& connection) : connection_(connection) {}
  ~MaintenanceLock() {
    if (!held_) return;
    try {
      pqxx::nontransaction(connection_)
          .exec(fmt::format("SELECT pg_advisory_unlock({})", kMaintenanceLockKey));
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the session ends anyway
    }
  }
  MaintenanceLock(const MaintenanceLock&) = delete;
  MaintenanceLock& operator=(const MaintenanceLock&) = delete;

  bool acquire(bool wait) {
    pqxx::nontransaction txn(connection_);
    if (wait) {
      txn.exec(fmt::format("SELECT pg_advisory_lock({})", kMaintenanceLockKey));
      held_ = true;
    } else {
      held_ = txn.exec1(fmt::format("SELECT pg_try_advisory_lock({})", kMaintenanceLockKey))[0]
                  .as<bool>();
    }
    return held_;
  }

 private:
  pqxx::connection& connection_;
  bool held_ = false;
};

}  // namespace

const std::vector<MaintenanceStep>& maintenance_steps() {
  static const std::vector<MaintenanceStep> steps = {
      {"partitions ahead", create_partitions_ahead},
      {"expired partitions", drop_expired_partitions},
      {"hourly rollups", close_rollups},
  };
  return steps;
}

bool maintain_database(pqxx::connection& connection, const std::vector<TableSpec>& tables,
                       WallTime now, bool wait_for_lock, DatabaseUpkeep& report) {
  MaintenanceLock lock(connection);
  if (!lock.acquire(wait_for_lock)) return false;
  for (const auto& table : tables) {
    for (const auto& step : maintenance_steps()) {
      pqxx::work txn(connection, "hc_maintain");
      step.run(txn, table, now, report);
      txn.commit();
    }
  }
  return true;
}

}  // namespace hc::store

namespace hc {

std::string_view to_string(MaintenanceResult result) {
  switch (result) {
    case MaintenanceResult::kOk:
      return "ok";
    case MaintenanceResult::kSkipped:
      return "skipped";
    case MaintenanceResult::kFailed:
      return "failed";
  }
  return "failed";
}

MaintenanceResult result_of(const DatabaseUpkeep& upkeep) {
  if (!upkeep.error.empty()) return MaintenanceResult::kFailed;
  return upkeep.ran ? MaintenanceResult::kOk : MaintenanceResult::kSkipped;
}

std::vector<DatabaseUpkeep> maintain_tables(const ConsumerConfig& config, WallTime now,
                                            bool wait_for_lock) {
  std::vector<DatabaseUpkeep> results;
  for (const DatabaseTables& database : database_tables(config.topics)) {
    std::vector<TableSpec> tables;
    // Events tables are not partitioned and keep every event: nothing to maintain.
    std::ranges::copy_if(database.tables, std::back_inserter(tables), [](const TableSpec& table) {
      return table.kind == RouteKind::kMeasurements;
    });
    const ConnectionTarget target = connection_target(database.connection_uri, config.session);
    DatabaseUpkeep& report = results.emplace_back();
    report.database = target.name;
    try {
      auto connection = open_connection(target);
      report.ran = store::maintain_database(*connection, tables, now, wait_for_lock, report);
    } catch (const std::exception& error) {
      report.ran = false;
      report.error = scrub_secrets(one_line(classify_exception(error).message), target);
    }
  }
  return results;
}

}  // namespace hc
