// SQL text of the Postgres sink: identifier quoting, the staging table, the upsert.
//
// Pure functions, no connection: the writer (pg_sink) asks, it does not build SQL.
// Table names reaching here were validated by the config (is_safe_identifier); they are
// quoted anyway so no name is ever interpreted as SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hc::consumer {

// "name" with embedded double quotes doubled: always a single identifier.
std::string quote_identifier(std::string_view name);

// The columns every row carries, in COPY order (the table's columns from migrations).
const std::vector<std::string>& row_columns();

// A session-private staging table with the row columns, emptied at each commit.
std::string create_staging_table_sql(std::string_view staging_table);

// Moves the staging rows into `table`: a new (url_digest, measurement_time) is inserted,
// an existing one is overwritten with the new values, so replaying a message is harmless.
// REQUIRES: the staging rows are unique by key (see TableRows), else Postgres rejects
// the statement ("cannot affect row a second time").
std::string upsert_from_staging_sql(std::string_view table, std::string_view staging_table);

}  // namespace hc::consumer
