// The consumer's RowSink for PostgreSQL: the batch writer's seam (row_sink.h) over the
// store's TableWriter, which owns the connection, the SQL and the error classes.
//
// Used from one thread at a time, like the TableWriter it holds.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "hc/store/pg_connection.h"
#include "hc/store/table_spec.h"
#include "hc/store/table_writer.h"
#include "row_sink.h"

namespace hc::consumer {

class PgSink final : public RowSink {
 public:
  // Throws std::invalid_argument if libpq cannot parse `connection_string`.
  PgSink(const std::string& connection_string, std::vector<TableSpec> tables,
         const SessionSettings& session)
      : writer_(connection_string, std::move(tables), session) {}

  const std::string& name() const override { return writer_.name(); }
  void write(const std::vector<const TableRows*>& rows_per_table, RowLane lane) override {
    writer_.write(rows_per_table, lane);
  }
  void ping() override { writer_.ping(); }
  void check_table_accepts_rows(std::size_t table) override {
    writer_.check_table_accepts_rows(table);
  }

 private:
  TableWriter writer_;
};

}  // namespace hc::consumer
