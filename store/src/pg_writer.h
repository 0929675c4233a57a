// The implementation of TableWriter (hc/store/table_writer.h, whose contract it keeps): the
// connection, the fast COPY path, the upsert, the latest table, rollup marks and partitions.
//
// Used from one thread at a time. The connection is opened lazily and dropped
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

#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "hc/store/table_rows.h"
#include "hc/store/table_spec.h"
#include "partition_layout.h"
#include "table_schema.h"
#include "write_trace.h"

namespace hc::store {

class PgWriter {
 public:
  // The methods of TableWriter (hc/store/table_writer.h), with its contracts.
  PgWriter(const std::string& connection_string, std::vector<TableSpec> tables,
           const SessionSettings& session);
  ~PgWriter();
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;

  const std::string& name() const { return target_.name; }
  const std::vector<TableSpec>& tables() const { return tables_; }
  void migrate();
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane);
  void ping();
  void check_table_accepts_rows(std::size_t table);
  bool connected() const { return connection_ != nullptr; }

 private:
  pqxx::connection& connection();
  // One transaction with the rows of `lane` of every table, the latest table and the marks.
  // True once committed; false if a table's fast path met an existing key: that table is then
  // set to upsert and the transaction rolled back (nothing written), to be written again.
  // `current` is the table being written, for errors; the trace's times add up over calls.
  bool try_write_transaction(const std::vector<const TableRows*>& rows_per_table, RowLane lane,
                             WriteTrace& trace, Stopwatch& stopwatch, std::size_t& current);
  // True if the rows went straight in; false if some key exists: the COPY failed, and with it
  // the transaction, which the caller must roll back.
  bool try_copy_new_rows(pqxx::work& txn, std::size_t table, const std::vector<const Row*>& rows);
  void upsert_rows(pqxx::work& txn, std::size_t table, const std::vector<const Row*>& rows);
  // In the transaction of the rows: the latest table takes the newest row per site if it is
  // newer than what it has, and the hours of the rows are marked for the rollups (rollups.h);
  // one COPY (the newest rows into the latest staging table) and one statement for both.
  void record_latest_and_hours(pqxx::work& txn, std::size_t table,
                               const std::vector<const Row*>& rows, WriteTrace& trace);
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

}  // namespace hc::store
