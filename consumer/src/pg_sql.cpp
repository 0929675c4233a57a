#include "pg_sql.h"

#include <fmt/format.h>

#include <utility>

namespace hc::consumer {
namespace {

// (column, type) of every row column; the primary key columns come first.
const std::vector<std::pair<std::string, std::string>>& typed_columns() {
  static const std::vector<std::pair<std::string, std::string>> columns = {
      {"url_digest", "bytea"},
      {"measurement_time", "timestamptz"},
      {"response_time_microseconds", "bigint"},
      {"uri", "text"},
      {"status_code", "int"},
      {"regex_present", "bool"},
      {"regex_match", "bool"},
      {"error", "text"},
      {"error_detail", "text"},
      {"dns_us", "bigint"},
      {"connect_us", "bigint"},
      {"tls_us", "bigint"},
      {"ttfb_us", "bigint"},
      {"body_bytes", "bigint"},
      {"cert_expires_at", "timestamptz"},
  };
  return columns;
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

const std::vector<std::string>& row_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const auto& [name, type] : typed_columns()) result.push_back(name);
    return result;
  }();
  return names;
}

std::string create_staging_table_sql(std::string_view staging_table) {
  std::vector<std::string> definitions;
  for (const auto& [name, type] : typed_columns()) {
    definitions.push_back(fmt::format("{} {}", name, type));
  }
  return fmt::format("CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS",
                     quote_identifier(staging_table), fmt::join(definitions, ", "));
}

std::string upsert_from_staging_sql(std::string_view table, std::string_view staging_table) {
  const auto& columns = row_columns();
  std::vector<std::string> updates;
  std::vector<std::string> current;
  std::vector<std::string> incoming;
  for (std::size_t i = 2; i < columns.size(); ++i) {  // all but the key columns
    updates.push_back(fmt::format("{0} = EXCLUDED.{0}", columns[i]));
    current.push_back("target." + columns[i]);
    incoming.push_back("EXCLUDED." + columns[i]);
  }
  // The WHERE makes a replayed row that is already there (Kafka's at-least-once
  // redelivery, the common conflict) a no-op: no new row version, no index or WAL
  // write, no dead tuple for vacuum. A row whose values differ is still overwritten.
  return fmt::format(
      "INSERT INTO {0} AS target ({1}) SELECT {1} FROM {2} "
      "ON CONFLICT (url_digest, measurement_time) DO UPDATE SET {3} "
      "WHERE ({4}) IS DISTINCT FROM ({5})",
      quote_identifier(table), fmt::join(columns, ", "), quote_identifier(staging_table),
      fmt::join(updates, ", "), fmt::join(current, ", "), fmt::join(incoming, ", "));
}

}  // namespace hc::consumer
