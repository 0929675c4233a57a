#include "pg_sql.h"

#include <fmt/format.h>

#include "partition_layout.h"

namespace hc::store {
namespace {

std::vector<std::string> key_names(TableColumns columns) {
  std::vector<std::string> keys;
  for (const auto& column : columns) {
    if (column.primary_key) keys.emplace_back(column.name);
  }
  return keys;
}

// Names of the columns that exist as of migration `version`, in table order.
std::vector<std::string> names_through(TableColumns columns, int version) {
  std::vector<std::string> names;
  for (const auto& column : columns) {
    if (column.migration <= version) names.emplace_back(column.name);
  }
  return names;
}

// Derived like partition names: a name too long for the suffix is shortened with a hash, so
// two derived names never collide when PostgreSQL would cut them at 63 bytes.
std::string suffixed(std::string_view table, std::string_view suffix) {
  return derived_identifier(std::string(table), std::string(suffix));
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted.push_back('"');
  for (char c : name) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string quote_literal(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted.push_back('\'');
  for (char c : text) {
    if (c == '\'') quoted.push_back('\'');
    quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

std::string latest_table_name(std::string_view table) { return suffixed(table, "_latest"); }
std::string hourly_view_name(std::string_view table) { return suffixed(table, "_hourly"); }
std::string hourly_rollup_name(std::string_view table) { return suffixed(table, "_hourly_rollup"); }
std::string daily_rollup_name(std::string_view table) { return suffixed(table, "_daily_rollup"); }
std::string hourly_from_raw_name(std::string_view table) {
  return suffixed(table, "_hourly_from_raw");
}
std::string window_sums_name(std::string_view table) { return suffixed(table, "_window_sums"); }

std::vector<std::string> column_names(TableColumns columns) {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const auto& column : columns) names.emplace_back(column.name);
  return names;
}

std::string migration_columns_sql(TableColumns columns, std::string_view quoted_table,
                                  int version) {
  std::vector<std::string> definitions;
  for (const auto& column : columns) {
    if (column.migration != version) continue;
    definitions.push_back(fmt::format("{}{} {}{}", version == 1 ? "" : "ADD COLUMN IF NOT EXISTS ",
                                      column.name, column.sql_type,
                                      column.primary_key ? " NOT NULL" : ""));
  }
  if (definitions.empty()) return "";
  if (version != 1) {
    return fmt::format("ALTER TABLE {} {}", quoted_table, fmt::join(definitions, ", "));
  }
  return fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))", quoted_table,
                     fmt::join(definitions, ", "), fmt::join(key_names(columns), ", "));
}

std::string create_staging_table_sql(TableColumns columns, std::string_view staging_table) {
  std::vector<std::string> definitions;
  for (const auto& column : columns) {
    definitions.push_back(fmt::format("{} {}", column.name, column.sql_type));
  }
  return fmt::format("CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS",
                     quote_identifier(staging_table), fmt::join(definitions, ", "));
}

std::string upsert_from_staging_sql(TableColumns columns, std::string_view table,
                                    std::string_view staging_table) {
  return upsert_from_sql(columns, table, quote_identifier(staging_table));
}

std::string upsert_from_sql(TableColumns columns, std::string_view table, std::string_view source) {
  std::vector<std::string> updates;
  std::vector<std::string> current;
  std::vector<std::string> incoming;
  for (const auto& column : columns) {
    if (column.primary_key) continue;
    updates.push_back(fmt::format("{0} = EXCLUDED.{0}", column.name));
    current.push_back(fmt::format("target.{}", column.name));
    incoming.push_back(fmt::format("EXCLUDED.{}", column.name));
  }
  // The WHERE makes a replayed row that is already there (Kafka's at-least-once
  // redelivery, the common conflict) a no-op: no new row version, no index or WAL
  // write, no dead tuple for vacuum. A row whose values differ is still overwritten.
  return fmt::format(
      "INSERT INTO {0} AS target ({1}) SELECT {1} FROM {2} "
      "ON CONFLICT ({3}) DO UPDATE SET {4} "
      "WHERE ({5}) IS DISTINCT FROM ({6})",
      quote_identifier(table), fmt::join(column_names(columns), ", "), source,
      fmt::join(key_names(columns), ", "), fmt::join(updates, ", "), fmt::join(current, ", "),
      fmt::join(incoming, ", "));
}

std::string latest_table_sql(TableColumns columns, std::string_view quoted_latest, int version) {
  const std::vector<std::string> keys = key_names(columns);
  std::vector<std::string> definitions;
  for (const auto& column : columns) {
    if (column.migration > version) continue;
    definitions.push_back(fmt::format("{} {}{}", column.name, column.sql_type,
                                      column.primary_key ? " NOT NULL" : ""));
  }
  return fmt::format("CREATE TABLE {} ({}, PRIMARY KEY ({})) WITH (fillfactor = 50)", quoted_latest,
                     fmt::join(definitions, ", "), keys.at(0));
}

std::string latest_backfill_sql(TableColumns columns, std::string_view quoted_latest,
                                std::string_view quoted_table, int version) {
  const std::vector<std::string> keys = key_names(columns);
  const std::vector<std::string> names = names_through(columns, version);
  return fmt::format(
      "INSERT INTO {0} ({1}) SELECT DISTINCT ON ({3}) {1} FROM {2} ORDER BY {3}, {4} DESC",
      quoted_latest, fmt::join(names, ", "), quoted_table, keys.at(0), keys.at(1));
}

std::string latest_upsert_sql(TableColumns columns, std::string_view latest,
                              std::string_view source) {
  const std::vector<std::string> keys = key_names(columns);
  std::vector<std::string> updates;
  std::vector<std::string> current;
  std::vector<std::string> incoming;
  for (const auto& column : columns) {
    if (column.name == keys.at(0)) continue;
    updates.push_back(fmt::format("{0} = EXCLUDED.{0}", column.name));
    current.push_back(fmt::format("target.{}", column.name));
    incoming.push_back(fmt::format("EXCLUDED.{}", column.name));
  }
  // Rows go in site order, so two writers of overlapping sites lock them in one order.
  return fmt::format(
      "INSERT INTO {0} AS target ({1}) SELECT {1} FROM {2} ORDER BY {3} "
      "ON CONFLICT ({3}) DO UPDATE SET {4} "
      "WHERE EXCLUDED.{5} > target.{5} OR (EXCLUDED.{5} = target.{5} AND ({6}) IS DISTINCT FROM "
      "({7}))",
      quote_identifier(latest), fmt::join(column_names(columns), ", "), source, keys.at(0),
      fmt::join(updates, ", "), keys.at(1), fmt::join(current, ", "), fmt::join(incoming, ", "));
}

std::string keyed_rows_sql(TableColumns columns, std::string_view table, int first_parameter) {
  const std::vector<std::string> keys = key_names(columns);
  // LATERAL with OFFSET 0 keeps each key its own probe: the planner cannot turn the lookups
  // into a join that scans the table.
  return fmt::format(
      "(SELECT found.* FROM unnest(${3}::text[], ${4}::timestamptz[]) AS wanted(key, at)"
      " CROSS JOIN LATERAL (SELECT * FROM {0} WHERE {1} = decode(wanted.key, 'hex')"
      " AND {2} = wanted.at OFFSET 0) AS found) AS keyed",
      quote_identifier(table), keys.at(0), keys.at(1), first_parameter, first_parameter + 1);
}

}  // namespace hc::store
