// Where the batch writer puts rows: the seam between BatchWriter and a database. PgSink is
// the PostgreSQL implementation; tests substitute fakes that fail on purpose.
//
// One RowSink is used by one thread at a time (the batch writer's, or one lane thread it
// starts and joins within a write).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hc/store/table_rows.h"

namespace hc::consumer {

class RowSink {
 public:
  virtual ~RowSink() = default;

  // The database for logs and /healthz: never holds a password.
  virtual const std::string& name() const = 0;

  // Upserts rows_per_table[i] into table i of this sink, all in one transaction: either
  // every table has the rows, or none. Null or empty entries are skipped; only the rows
  // that `lane` holds are written, and a lane with none sends nothing.
  // Throws DbError (db_error.h), whose class tells the caller what to do.
  virtual void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane) = 0;

  // Is the database reachable? Throws DbError if not.
  virtual void ping() = 0;

  // Does table `table` accept a well-formed row? Writes one synthetic row in a
  // transaction that is rolled back. Throws DbError if not: then a refusal of real rows
  // is about the table (e.g. a column dropped by hand), not about those rows.
  virtual void check_table_accepts_rows(std::size_t table) = 0;
};

}  // namespace hc::consumer
