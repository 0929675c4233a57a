#include "pg_sql.h"

#include <fmt/format.h>

namespace hc::consumer {
namespace {

std::vector<std::string> key_names(TableColumns columns) {
  std::vector<std::string> keys;
  for (const auto& column : columns) {
    if (column.primary_key) keys.emplace_back(column.name);
  }
  return keys;
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
      quote_identifier(table), fmt::join(column_names(columns), ", "),
      quote_identifier(staging_table), fmt::join(key_names(columns), ", "),
      fmt::join(updates, ", "), fmt::join(current, ", "), fmt::join(incoming, ", "));
}

}  // namespace hc::consumer
