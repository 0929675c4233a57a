// The read side shared by `hc status` and `hc serve`: one connection per configured
// database (from the caller's pool, if any), each table read in its own read-only transaction,
// errors sorted into "not migrated" (MissingStatusTable) and everything else, with passwords
// scrubbed.
//
// Thread-safe: nothing is shared between calls.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/store/connection_pool.h"

namespace hc::store {

// Calls `read` for each configured measurements table (databases in config order, then their
// tables; events tables are skipped)
// until it returns false. Each call gets its own read-only, repeatable-read transaction (its
// statements see one snapshot) with TimeZone UTC, so date_trunc over timestamptz cuts UTC hours
// and days whatever the server's zone, and without JIT.
// Throws MissingStatusTable when a relation, column or function the SQL needs does not exist
// (42P01, 42703, 42883: the table is not migrated, or predates a migration), else
// std::runtime_error with `what` ("status"), the database (redacted) and the table.
// Connections come from `pool` (and go back to it) when given, else one is opened per
// database for this call.
void for_each_status_table(
    const ConsumerConfig& config, const std::string& what,
    const std::function<bool(pqxx::transaction_base& transaction, const std::string& table)>& read,
    ConnectionPool* pool = nullptr);

// Calls `read` with a read-only transaction for each events table of the config (routes with
// kind: events), in config order; connections as for_each_status_table. Returns whether the
// config has an events table. Throws MissingStatusTable when a table does not exist, else
// std::runtime_error "{what} of events table T in D: ..." (password scrubbed).
bool for_each_events_table(
    const ConsumerConfig& config, const std::string& what,
    const std::function<void(pqxx::transaction_base& transaction, const std::string& table)>& read,
    ConnectionPool* pool = nullptr);

// The events tables (routes with kind: events) in the same database as `table`, in config
// order: what a reader of `table` can join in one statement.
std::vector<std::string> events_tables_beside(const ConsumerConfig& config,
                                              const std::string& table);

// A table's rollup bounds as timestamptz text, read in the reader's transaction before its
// statements, which take them as parameters (rollup_sql.h, RollupBoundParams).
struct RollupBounds {
  std::string closed_until = "-infinity";  // "-infinity": never closed, or no site yet
  std::string late_hours = "{}";           // closed hours with pending markers, as an array
  std::string late_from = "-infinity";     // the first of them
  std::string late_to = "-infinity";       // the end of the last of them
  // Whole days in the daily rollup end here: the day of closed_until ("-infinity" as above).
  std::string days_closed_until = "-infinity";
  std::string late_days = "{}";               // the UTC days of late_hours, as an array
  std::optional<WallTime> closed_until_time;  // closed_until as a time; unset when "-infinity"
};

// Reads `table`'s RollupBounds. <table>_latest is read first, so an unmigrated database is
// reported (undefined_table) by the name of the relation people know.
RollupBounds read_rollup_bounds(pqxx::transaction_base& transaction, const std::string& table);

// The relation named by PostgreSQL's "relation \"x\" does not exist", or `fallback`.
std::string missing_relation(const std::string& message, const std::string& fallback);
// What PostgreSQL's "ERROR:  column x does not exist" (or function) names, or `fallback`.
std::string missing_object(const std::string& message, const std::string& fallback);

template <typename T>
std::optional<T> optional_field(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace hc::store
