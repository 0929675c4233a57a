// The read side shared by `hc status` and `hc serve`: one connection per configured
// database, each table read in its own read-only transaction, errors sorted into "not
// migrated" (MissingStatusTable) and everything else, with passwords scrubbed.
//
// Thread-safe: nothing is shared between calls.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "hc/common/config.h"

namespace hc::consumer {

// Calls `read` for each configured measurements table (databases in config order, then their
// tables; events tables are skipped)
// until it returns false. Each call gets its own read-only, repeatable-read transaction (its
// statements see one snapshot) with TimeZone UTC, so date_trunc over timestamptz cuts UTC hours
// and days whatever the server's zone, and without JIT.
// Throws MissingStatusTable when a relation, column or function the SQL needs does not exist
// (42P01, 42703, 42883: the table is not migrated, or predates a migration), else
// std::runtime_error with `what` ("status"), the database (redacted) and the table.
void for_each_status_table(
    const ConsumerConfig& config, const std::string& what,
    const std::function<bool(pqxx::transaction_base& transaction, const std::string& table)>& read);

// The relation named by PostgreSQL's "relation \"x\" does not exist", or `fallback`.
std::string missing_relation(const std::string& message, const std::string& fallback);
// What PostgreSQL's "ERROR:  column x does not exist" (or function) names, or `fallback`.
std::string missing_object(const std::string& message, const std::string& fallback);

template <typename T>
std::optional<T> optional_field(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace hc::consumer
