// Writes batches into the tables of one PostgreSQL database over one libpqxx connection.
//
// Used from the consumer loop thread only. The connection is opened lazily and dropped
// after any failure, so the next write reconnects: a database restart needs no action
// from the caller beyond retrying.
#pragma once

#include <cstddef>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "batch.h"

namespace hc::consumer {

class PgSink {
 public:
  // tables: validated identifiers, already migrated (see migrate()).
  PgSink(std::string connection_uri, std::vector<std::string> tables);
  ~PgSink();
  PgSink(const PgSink&) = delete;
  PgSink& operator=(const PgSink&) = delete;

  // The database for logs: the URI without its password.
  const std::string& name() const { return name_; }
  const std::vector<std::string>& tables() const { return tables_; }

  // Creates or upgrades every table (pg_migrations). Throws std::runtime_error naming
  // the database and table.
  void migrate();

  // Upserts rows_per_table[i] into tables()[i], all in one transaction: either every
  // table of this database has the rows, or none. Null or empty entries are skipped.
  // Throws std::runtime_error (database, table, Postgres' message) on failure; the
  // connection is then dropped and the next call reconnects.
  void write(const std::vector<const TableRows*>& rows_per_table);

  // Opens the connection if needed and runs a trivial query: is the database back?
  // Throws std::runtime_error like write().
  void ping();

  // True while a connection is open (for the database-state gauge).
  bool connected() const { return connection_ != nullptr; }

 private:
  pqxx::connection& connection();

  std::string uri_;
  std::string name_;
  std::vector<std::string> tables_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace hc::consumer
