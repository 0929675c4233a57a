// Writes batches into the tables of one PostgreSQL database over one libpqxx connection:
// the RowSink of the consumer.
//
// Used from one thread at a time (the batch writer's). The connection is opened lazily and dropped
// after any failure, so the next write reconnects: a database restart needs no action
// from the caller beyond retrying. Every error is thrown as a DbError (db_error.h), classified
// where it is caught, its text without the password.
#pragma once

#include <cstddef>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "batch.h"
#include "db_error.h"
#include "pg_connection.h"
#include "row_sink.h"

namespace hc::consumer {

class PgSink final : public RowSink {
 public:
  // tables: validated identifiers, already migrated (see migrate()). Throws
  // std::invalid_argument if libpq cannot parse `connection_string` (see connection_target).
  PgSink(const std::string& connection_string, std::vector<std::string> tables,
         const SessionSettings& session = {});
  ~PgSink() override;
  PgSink(const PgSink&) = delete;
  PgSink& operator=(const PgSink&) = delete;

  // The database for logs: the URI without its password.
  const std::string& name() const override { return target_.name; }
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
  // come in runs. In the same transaction, <table>_latest takes each site's newest row when
  // it is newer (latest_upsert_sql) and the rows' hours are marked for the rollups.
  // Throws DbError (database, table, Postgres' message) on failure; the
  // connection is then dropped and the next call reconnects.
  // Only the rows of `lane` are written (other lanes use other PgSinks); with none, nothing
  // is sent to the database.
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane = {}) override;

  // Opens the connection if needed and runs a trivial query: is the database back?
  // Throws DbError like write().
  void ping() override;

  // A synthetic row (url "https://hc.invalid/table-check") COPied and upserted in a
  // transaction that is rolled back. Throws DbError like write().
  void check_table_accepts_rows(std::size_t table) override;

  // True while a connection is open (for the database-state gauge).
  bool connected() const { return connection_ != nullptr; }

 private:
  pqxx::connection& connection();
  // True if the rows went straight in; false if some key exists (nothing written).
  bool try_copy_new_rows(pqxx::work& txn, std::size_t table,
                         const std::vector<const Measurement*>& rows);
  void upsert_rows(pqxx::work& txn, std::size_t table, const std::vector<const Measurement*>& rows);
  // In the transaction of the rows: the latest table takes the newest row per site if it is
  // newer than what it has, and the hours of the rows are marked for the rollups (rollups.h).
  void record_latest_and_hours(pqxx::work& txn, std::size_t table,
                               const std::vector<const Measurement*>& rows);

  // A DbError for `error` caught while `doing` (e.g. "writing to table t"); drops the
  // connection. Its text names the database and holds no secret.
  DbError failure(const std::exception& error, const std::string& doing);

  ConnectionTarget target_;
  std::vector<std::string> tables_;
  std::unique_ptr<pqxx::connection> connection_;
  std::vector<int> upsert_only_batches_;  // per table: batches left before trying COPY again
};

}  // namespace hc::consumer
