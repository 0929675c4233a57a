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
#include "partition_layout.h"
#include "pg_connection.h"
#include "row_sink.h"
#include "table_schema.h"
#include "table_spec.h"

namespace hc::consumer {

class PgSink final : public RowSink {
 public:
  // Writes `tables` (table i of the sink is tables[i]; migrated by migrate()). Throws
  // std::invalid_argument if libpq cannot parse `connection_string` (see connection_target).
  PgSink(const std::string& connection_string, std::vector<TableSpec> tables,
         const SessionSettings& session = {});
  ~PgSink() override;
  PgSink(const PgSink&) = delete;
  PgSink& operator=(const PgSink&) = delete;

  // The database for logs: the URI without its password.
  const std::string& name() const override { return target_.name; }
  const std::vector<TableSpec>& tables() const { return tables_; }

  // Creates or upgrades every table with the migrations of its kind (pg_migrations), and
  // creates the partitions ahead of a measurements table (partition_layout.h). Throws
  // std::runtime_error naming the database and table.
  void migrate();

  // Upserts rows_per_table[i] into tables()[i], all in one transaction: either every
  // table of this database has the rows, or none. Null or empty entries are skipped.
  //
  // Fast path: new measurements (the normal case) are COPied straight into the table
  // inside a savepoint; only if a key already exists (a replay) does that fail with a
  // unique violation, and the batch then takes the upsert path (COPY into a staging
  // table, one INSERT .. ON CONFLICT DO UPDATE). The result is the same either way.
  // After a conflict the table skips the fast path for a few batches, since replays
  // come in runs. In the same transaction, a measurements table's <table>_latest takes each
  // site's newest row when it is newer (latest_upsert_sql) and the rows' hours are marked for
  // the rollups.
  // A row whose time has no partition gets one first (partition_catalog.h: under the table's
  // partition lock, in a transaction of its own, so racing consumers create it once); the
  // partitions known are cached per connection and re-read when a row is not covered.
  // REQUIRES: every row passed row_fate() == kWrite (the loop filters expired and far-future
  // rows), so a partition is never created for them.
  // Throws DbError (database, table, Postgres' message) on failure; the
  // connection is then dropped and the next call reconnects.
  // Only the rows of `lane` are written (other lanes use other PgSinks); with none, nothing
  // is sent to the database.
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane = {}) override;

  // Opens the connection if needed and runs a trivial query: is the database back?
  // Throws DbError like write().
  void ping() override;

  // The table's kind's sample row (url "https://hc.invalid/table-check") COPied and upserted
  // in a transaction that is rolled back. Throws DbError like write().
  void check_table_accepts_rows(std::size_t table) override;

  // True while a connection is open (for the database-state gauge).
  bool connected() const { return connection_ != nullptr; }

 private:
  pqxx::connection& connection();
  // True if the rows went straight in; false if some key exists (nothing written).
  bool try_copy_new_rows(pqxx::work& txn, std::size_t table, const std::vector<const Row*>& rows);
  void upsert_rows(pqxx::work& txn, std::size_t table, const std::vector<const Row*>& rows);
  // In the transaction of the rows: the latest table takes the newest row per site if it is
  // newer than what it has, and the hours of the rows are marked for the rollups (rollups.h).
  void record_latest_and_hours(pqxx::work& txn, std::size_t table,
                               const std::vector<const Row*>& rows);
  // Creates the partitions `rows` (of `lane`) need that the cache does not know of.
  void ensure_partitions_for(std::size_t table, const TableRows& rows, RowLane lane);
  void ensure_partitions_for(std::size_t table, const std::vector<WallTime>& times);
  // Measurements tables are partitioned by time and have a latest table and hourly rollups;
  // events tables have none of these.
  bool is_measurements_table(std::size_t table) const {
    return tables_[table].kind == RouteKind::kMeasurements;
  }

  // A DbError for `error` caught while `doing` (e.g. "writing to table t"); drops the
  // connection. Its text names the database and holds no secret.
  DbError failure(const std::exception& error, const std::string& doing);

  ConnectionTarget target_;
  std::vector<TableSpec> tables_;
  std::vector<const TableSchema*> schemas_;  // per table: table_schema(tables_[i].kind)
  std::unique_ptr<pqxx::connection> connection_;
  std::vector<int> upsert_only_batches_;  // per table: batches left before trying COPY again
  std::vector<std::vector<Partition>> partitions_;  // per table: as last read or created
};

}  // namespace hc::consumer
