// A table's columns, defined once. Everything SQL knows about a table hc writes is derived
// from its list (pg_sql.h): the migration DDL that creates it or adds a column, the COPY
// column list, the staging table, the upsert and its IS DISTINCT FROM guard. Each row type
// pairs its list with a COPY row writer that emits the fields in the same order
// (measurement_columns.h for measurements).
#pragma once

#include <span>
#include <string_view>

namespace hc::store {

struct ColumnSpec {
  std::string_view name;      // a plain lowercase SQL identifier
  std::string_view sql_type;  // as written in DDL: "bigint", "text[]", "timestamptz"
  // The migration version that adds the column: 1 for the columns of CREATE TABLE, any later
  // version for "ALTER TABLE ... ADD COLUMN IF NOT EXISTS". Once released, an entry's name,
  // type and migration never change (databases already hold them); a new column is a new
  // entry with the next migration version.
  int migration = 1;
  bool primary_key = false;  // REQUIRES: primary key columns come first, in migration 1
};

// A table's columns in table order, which is also COPY order.
using TableColumns = std::span<const ColumnSpec>;

}  // namespace hc::store
