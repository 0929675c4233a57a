// Numbered schema migrations of the tables hc writes, one list per kind of table
// (measurements, events: table_schema.h), recorded per table in
// hc_schema_migrations(table_name, version, applied_at).
//
// A migration's columns come from its kind's column list (measurement_columns.h,
// event_columns.h): migration N creates or adds the columns whose entry says N, then runs its
// own statements (views, functions). Released migrations never change meaning; a change is
// the next number.
//
// Safe when several consumers (or `hc migrate`) start at once: every migration run
// holds one transaction-scoped advisory lock for the whole database, so runs serialize
// and the second one finds nothing left to do.
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "table_columns.h"

namespace hc::store {

struct Migration {
  int version;
  const char* description;
  // Run after the version's columns exist; "" for none. "{table}" stands for the quoted
  // name of the table; "{latest}", "{hourly}" (measurements) and "{open}" (events) for the
  // quoted names of its relations, <table>_latest, <table>_hourly and <table>_open; "{archive}"
  // for a measurements table's catch-all partition (partition_layout.h), "{table_key}" and
  // "{archive_key}" for their primary keys.
  std::string statements;
  // Statements derived from the column lists for `table` (run after `statements`), or null.
  std::string (*derived_statements)(const std::string& table) = nullptr;
};

// Every migration of a measurements table in version order, starting at 1.
const std::vector<Migration>& table_migrations();
// Every migration of an events table in version order, starting at 1.
const std::vector<Migration>& event_table_migrations();

// The whole SQL of `migration` for `table`, a table of `kind` whose columns are `columns`
// (the column DDL of the migration's version, then its statements; a measurements table's
// new columns go to its latest table too).
std::string migration_sql(const Migration& migration, const std::string& table,
                          TableColumns columns, RouteKind kind);

// Brings `table`, with the columns `columns` and the migrations `migrations`, to the latest
// version in one transaction; returns the versions applied now (empty if the table was
// current). Throws pqxx exceptions on failure; nothing is applied then. REQUIRES: table is a
// safe identifier (it is also quoted); `columns` and `migrations` are the lists of `kind`.
std::vector<int> migrate_table(pqxx::connection& connection, const std::string& table,
                               TableColumns columns, const std::vector<Migration>& migrations,
                               RouteKind kind);

}  // namespace hc::store
