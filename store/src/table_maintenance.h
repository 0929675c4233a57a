// The steps of table upkeep, run for each table in order, each in a transaction of its own,
// under one database-wide maintenance lock (so one consumer of a group does the work; `hc
// maintain` takes the same lock):
//   1. partitions ahead: the interval of now and kPartitionsAhead after it exist;
//   2. expired partitions: those wholly older than retention_days are dropped whole;
//   3. hourly rollups: the ended hours with new raw rows are closed (rollups.h), and rollup
//      rows older than rollup_retention_days deleted.
// A new kind of upkeep is one more entry in maintenance_steps().
//
// Called from the consumer's maintenance thread (maintenance_thread.h) or `hc maintain`;
// one connection per call, used by that thread only.
#pragma once

#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/maintenance.h"
#include "hc/store/table_spec.h"

namespace hc::store {

// One step for one table. REQUIRES: run inside `txn`, which the caller commits; appends what
// it changed to `report` (actions and counts).
struct MaintenanceStep {
  const char* name;
  void (*run)(pqxx::work& txn, const TableSpec& table, WallTime now, DatabaseUpkeep& report);
};

// The steps, in the order they run.
const std::vector<MaintenanceStep>& maintenance_steps();

// Every step for every table of one database, under its maintenance lock (see
// maintain_tables in hc/store/maintenance.h). Returns false without doing anything when
// !wait_for_lock and the lock is held elsewhere. Throws what libpqxx throws.
// REQUIRES: `tables` are measurements tables (the steps partition and roll up).
bool maintain_database(pqxx::connection& connection, const std::vector<TableSpec>& tables,
                       WallTime now, bool wait_for_lock, DatabaseUpkeep& report);

}  // namespace hc::store
