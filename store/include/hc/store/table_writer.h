// Writes rows into the tables of one PostgreSQL database over one libpqxx connection: how
// rows are stored. The consumer's PostgreSQL row sink writes through it; `hc migrate` creates
// the tables through it.
//
// Used from one thread at a time. The connection is opened lazily and dropped after any
// failure, so the next write reconnects: a database restart needs no action from the caller
// beyond retrying. Every error is thrown as a DbError (db_error.h), classified where it is
// caught, its text without the password.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "hc/common/message.h"
#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "hc/store/row_fate.h"
#include "hc/store/table_rows.h"
#include "hc/store/table_spec.h"

namespace hc {

namespace store {
class PgWriter;
}  // namespace store

class TableWriter {
 public:
  // Writes `tables` (table i of the sink is tables[i]; migrated by migrate()). Throws
  // std::invalid_argument if libpq cannot parse `connection_string` (see connection_target).
  TableWriter(const std::string& connection_string, std::vector<TableSpec> tables,
              const SessionSettings& session = {});
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  TableWriter(TableWriter&&) noexcept;
  TableWriter& operator=(TableWriter&&) noexcept;

  // The database for logs: the URI without its password.
  const std::string& name() const;
  const std::vector<TableSpec>& tables() const;

  // Creates or upgrades every table with the numbered migrations of its kind, and creates
  // the partitions ahead of a measurements table. Throws
  // std::runtime_error naming the database and table.
  void migrate();

  // Upserts rows_per_table[i] into tables()[i], all in one transaction: either every
  // table of this database has the rows, or none. Null or empty entries are skipped.
  //
  // Fast path: new measurements (the normal case) are COPied straight into the table;
  // only if a key already exists (a replay) does that fail with a unique violation, and
  // the transaction is then rolled back and written again with that table on the upsert
  // path (COPY into a staging table, one INSERT .. ON CONFLICT DO UPDATE). The result is
  // the same either way. After a conflict the table skips the fast path for a few batches,
  // since replays come in runs. In the same transaction, a measurements table's
  // <table>_latest takes each site's newest row of the batch (as the table now holds it)
  // when it is newer, and the rows' hours are marked for the rollups.
  // A row whose time has no partition gets one first (under the table's
  // partition lock, in a transaction of its own, so racing consumers create it once); the
  // partitions known are cached per connection and re-read when a row is not covered.
  // REQUIRES: every row passed row_fate() == kWrite (the loop filters expired and far-future
  // rows), so a partition is never created for them.
  // Throws DbError (database, table, Postgres' message) on failure; the
  // connection is then dropped and the next call reconnects.
  // Only the rows of `lane` are written (other lanes use other writers); with none, nothing
  // is sent to the database.
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane = {});

  // Opens the connection if needed and runs a trivial query: is the database back?
  // Throws DbError like write().
  void ping();

  // The table's kind's sample row (url "https://hc.invalid/table-check") COPied and upserted
  // in a transaction that is rolled back. Throws DbError like write().
  void check_table_accepts_rows(std::size_t table);

  // True while a connection is open (for the database-state gauge).
  bool connected() const;

 private:
  std::unique_ptr<store::PgWriter> writer_;
};

}  // namespace hc
