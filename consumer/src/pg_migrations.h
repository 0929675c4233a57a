// Numbered schema migrations of the measurement tables, recorded per table in
// hc_schema_migrations(table_name, version, applied_at).
//
// A migration's columns come from the column list (measurement_columns.h): migration N
// creates or adds the columns whose entry says N, then runs its own statements (views,
// functions). Released migrations never change meaning; a change is the next number.
//
// Safe when several consumers (or `hc migrate`) start at once: every migration run
// holds one transaction-scoped advisory lock for the whole database, so runs serialize
// and the second one finds nothing left to do.
#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace hc::consumer {

struct Migration {
  int version;
  const char* description;
  // Run after the version's columns exist; "" for none. "{table}", "{latest}" and
  // "{hourly}" stand for the quoted names of the table and its latest and hourly relations.
  const char* statements;
  // Statements derived from the column lists for `table` (run after `statements`), or null.
  std::string (*derived_statements)(const std::string& table) = nullptr;
};

// Every migration in version order, starting at 1.
const std::vector<Migration>& table_migrations();

// The whole SQL of `migration` for `table` (its column DDL, then its statements).
std::string migration_sql(const Migration& migration, const std::string& table);

// Brings `table` to the latest version in one transaction; returns the versions applied
// now (empty if the table was current). Throws pqxx exceptions on failure; nothing is
// applied then. REQUIRES: table is a safe identifier (it is also quoted).
std::vector<int> migrate_table(pqxx::connection& connection, const std::string& table);

}  // namespace hc::consumer
