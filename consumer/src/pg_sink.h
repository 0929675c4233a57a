// Writes batches into the tables of one PostgreSQL database over one libpqxx connection.
//
// Used from one thread at a time (the batch writer's). The connection is opened lazily and dropped
// after any failure, so the next write reconnects: a database restart needs no action
// from the caller beyond retrying.
#pragma once

#include <cstddef>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction>
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
  //
  // Fast path: new measurements (the normal case) are COPied straight into the table
  // inside a savepoint; only if a key already exists (a replay) does that fail with a
  // unique violation, and the batch then takes the upsert path (COPY into a staging
  // table, one INSERT .. ON CONFLICT DO UPDATE). The result is the same either way.
  // After a conflict the table skips the fast path for a few batches, since replays
  // come in runs.
  // Throws std::runtime_error (database, table, Postgres' message) on failure; the
  // connection is then dropped and the next call reconnects.
  // Only the rows of `lane` are written (other lanes use other PgSinks); with none, nothing
  // is sent to the database.
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane = {});

  // Opens the connection if needed and runs a trivial query: is the database back?
  // Throws std::runtime_error like write().
  void ping();

  // True while a connection is open (for the database-state gauge).
  bool connected() const { return connection_ != nullptr; }

 private:
  pqxx::connection& connection();
  // True if the rows went straight in; false if some key exists (nothing written).
  bool try_copy_new_rows(pqxx::work& txn, std::size_t table, const TableRows& rows, RowLane lane);
  void upsert_rows(pqxx::work& txn, std::size_t table, const TableRows& rows, RowLane lane);

  std::string uri_;
  std::string name_;
  std::vector<std::string> tables_;
  std::unique_ptr<pqxx::connection> connection_;
  std::vector<int> upsert_only_batches_;  // per table: batches left before trying COPY again
};

}  // namespace hc::consumer
