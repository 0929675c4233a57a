// What differs between the kinds of table hc writes (RouteKind, config.h): their columns,
// their migrations, how a row becomes a COPY line and the synthetic row that checks a
// table. One entry per kind in table_schema.cpp; the sink, the migrations and `hc migrate`
// ask here and never branch on the kind themselves.
#pragma once

#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/row.h"
#include "pg_migrations.h"
#include "table_columns.h"

namespace hc::store {

struct TableSchema {
  RouteKind kind;
  TableColumns columns;
  const std::vector<Migration>& (*migrations)();
  // Does `row` belong in a table of this kind?
  bool (*holds)(const Row& row);
  // Appends `row` as one COPY text line of `columns`. REQUIRES: holds(row).
  void (*append_copy_row)(std::string& out, const Row& row);
  // A well-formed row with url "https://hc.invalid/table-check" and a digest no URL has,
  // at `now` (a time every partitioned table keeps), for RowSink::check_table_accepts_rows.
  Row (*sample_row)(WallTime now);
};

const TableSchema& table_schema(RouteKind kind);

}  // namespace hc::store
