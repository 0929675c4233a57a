// SQL text of the Postgres sink, derived from a table's column list (table_columns.h):
// identifier quoting, the migration DDL of columns, the staging table, the upsert.
//
// Pure functions, no connection: the writer (pg_sink) and the migrations ask, they do not
// build SQL. Table names reaching here were validated by the config (is_safe_identifier);
// they are quoted anyway so no name is ever interpreted as SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "table_columns.h"

namespace hc::consumer {

// "name" with embedded double quotes doubled: always a single identifier.
std::string quote_identifier(std::string_view name);

// The column names in table order: the COPY column list.
std::vector<std::string> column_names(TableColumns columns);

// The DDL of migration `version` for `columns`: for version 1, "CREATE TABLE IF NOT EXISTS"
// with the columns of version 1 and the primary key; for a later version, one
// "ALTER TABLE ... ADD COLUMN IF NOT EXISTS" for its columns. Empty when the version adds no
// column. `quoted_table` is already quoted (quote_identifier).
std::string migration_columns_sql(TableColumns columns, std::string_view quoted_table, int version);

// A session-private staging table with every column, emptied at each commit.
std::string create_staging_table_sql(TableColumns columns, std::string_view staging_table);

// Moves the staging rows into `table`: a new primary key is inserted, an existing one is
// overwritten with the new values, so replaying a message is harmless.
// REQUIRES: the staging rows are unique by key (see TableRows), else Postgres rejects
// the statement ("cannot affect row a second time").
std::string upsert_from_staging_sql(TableColumns columns, std::string_view table,
                                    std::string_view staging_table);

}  // namespace hc::consumer
