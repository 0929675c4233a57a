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

namespace hc::store {

// "name" with embedded double quotes doubled: always a single identifier.
std::string quote_identifier(std::string_view name);

// 'text' with embedded single quotes doubled: always a single SQL string literal.
std::string quote_literal(std::string_view text);

// The relations beside a measurements table, named after it (unquoted). PostgreSQL truncates
// names over 63 bytes the same way when creating and when querying.
std::string latest_table_name(std::string_view table);     // newest measurement per site
std::string hourly_view_name(std::string_view table);      // per site and hour, for psql users
std::string hourly_rollup_name(std::string_view table);    // closed hours (rollups.h)
std::string daily_rollup_name(std::string_view table);     // closed days (rollups.h)
std::string hourly_from_raw_name(std::string_view table);  // SQL function: hours from raw rows
std::string window_sums_name(std::string_view table);      // sums of windows (window_sums.h)

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
// The same upsert from any row source: `source` is a FROM item ("f($1, $2)") whose columns
// are named like `columns`.
std::string upsert_from_sql(TableColumns columns, std::string_view table, std::string_view source);

// The "latest" table of a measurements table: one row per site with the newest measurement.
// Its columns are the measurement columns; its key is the first key column (the site,
// url_digest), the second key column (measurement_time) orders measurements.
//
// CREATE TABLE with the columns that exist as of migration `version` (fillfactor 50: the
// upserts rewrite every row often, and free room in the page keeps them HOT updates).
std::string latest_table_sql(TableColumns columns, std::string_view quoted_latest, int version);
// Fills the latest table from the measurements of `quoted_table`: the newest row per site.
std::string latest_backfill_sql(TableColumns columns, std::string_view quoted_latest,
                                std::string_view quoted_table, int version);
// Moves the rows of `source` (a FROM item whose columns are named like `columns`, e.g.
// keyed_rows_sql()) into the latest table, newer wins: a row is inserted for a new site
// and replaces the site's row only when its time is later, or, at the same time, when its
// values differ (the measurements table also keeps the last write of one key). Replaying
// older or identical measurements changes nothing and writes no row version.
// REQUIRES: the source rows are unique by site (the newest of a batch per site).
std::string latest_upsert_sql(TableColumns columns, std::string_view latest,
                              std::string_view source);
// A FROM item: the rows of `table` whose keys are given by two array parameters, $N the first
// key column as hex text (text[], a bytea key such as url_digest) and $N+1 the second
// (timestamptz[]), pairwise. Each key is one index probe of the primary key (a lookup per key,
// never a scan), so its cost follows the number of keys, not the size of the table.
std::string keyed_rows_sql(TableColumns columns, std::string_view table, int first_parameter);

}  // namespace hc::store
