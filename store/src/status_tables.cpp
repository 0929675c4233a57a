#include "status_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "hc/common/url_redaction.h"
#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "hc/store/status.h"
#include "hc/store/table_spec.h"
#include "pg_sql.h"
#include "rollup_sql.h"

namespace hc::store {

std::string missing_relation(const std::string& message, const std::string& fallback) {
  constexpr std::string_view kPrefix = "relation \"";
  const auto start = message.find(kPrefix);
  if (start == std::string::npos) return fallback;
  const auto name_start = start + kPrefix.size();
  const auto end = message.find('"', name_start);
  if (end == std::string::npos) return fallback;
  return message.substr(name_start, end - name_start);
}

std::string missing_object(const std::string& message, const std::string& fallback) {
  constexpr std::string_view kErrorPrefix = "ERROR:  ";
  constexpr std::string_view kSuffix = " does not exist";
  std::string line = message.substr(0, message.find('\n'));
  if (line.rfind(kErrorPrefix, 0) == 0) line.erase(0, kErrorPrefix.size());
  const auto end = line.find(kSuffix);
  if (end == std::string::npos) return fallback;
  return line.substr(0, end);
}

bool for_each_events_table(
    const ConsumerConfig& config, const std::string& what,
    const std::function<void(pqxx::transaction_base& transaction, const std::string& table)>& read,
    ConnectionPool* pool) {
  ConnectionPool this_call_only(0);
  ConnectionPool& connections = pool != nullptr ? *pool : this_call_only;
  bool any = false;
  for (const DatabaseTables& database : database_tables(config.topics)) {
    std::optional<ConnectionPool::Lease> connection;  // leased for the first events table
    ConnectionTarget target;
    for (const TableSpec& table : database.tables) {
      if (table.kind != RouteKind::kEvents) continue;
      any = true;
      try {
        if (!connection) {
          target = connection_target(database.read_connection_uri, config.session);
          connection.emplace(connections.lease(target));
        }
        pqxx::read_transaction transaction(**connection);
        read(transaction, table.name);
      } catch (const pqxx::undefined_table&) {
        throw MissingStatusTable(table.name, table.name, target.name);
      } catch (const std::exception& error) {
        const std::string name =
            target.name.empty() ? redact_connection_uri(database.read_connection_uri) : target.name;
        throw std::runtime_error(fmt::format("{} of events table {} in {}: {}", what, table.name,
                                             name, scrub_secrets(one_line(error.what()), target)));
      }
    }
  }
  return any;
}

std::vector<std::string> events_tables_beside(const ConsumerConfig& config,
                                              const std::string& table) {
  for (const DatabaseTables& database : database_tables(config.topics)) {
    const bool holds_table = std::ranges::any_of(database.tables, [&](const TableSpec& spec) {
      return spec.kind != RouteKind::kEvents && spec.name == table;
    });
    if (!holds_table) continue;
    std::vector<std::string> events;
    for (const TableSpec& spec : database.tables) {
      if (spec.kind == RouteKind::kEvents) events.push_back(spec.name);
    }
    return events;
  }
  return {};
}

RollupBounds read_rollup_bounds(pqxx::transaction_base& transaction, const std::string& table) {
  const pqxx::row row = transaction.exec_params1(
      fmt::format(
          "WITH closed AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM {latest}) THEN coalesce((SELECT"
          " closed_until FROM hc_rollup_state WHERE table_name = $1), '-infinity')"
          " ELSE '-infinity' END AS until),"
          " late AS (SELECT DISTINCT p.hour FROM hc_rollup_pending p, closed"
          " WHERE p.table_name = $1 AND p.hour < closed.until)"
          " SELECT closed.until::text,"
          " (SELECT coalesce(array_agg(hour ORDER BY hour), '{{}}')::text FROM late),"
          " (SELECT coalesce(min(hour), '-infinity')::text FROM late),"
          " (SELECT coalesce(max(hour) + interval '1 hour', '-infinity')::text FROM late),"
          " CASE WHEN isfinite(closed.until) THEN {day_of_closed} ELSE closed.until"
          " END::text,"
          " (SELECT coalesce(array_agg(DISTINCT {day_of_late}), '{{}}')::text FROM late),"
          " CASE WHEN isfinite(closed.until)"
          " THEN (extract(epoch FROM closed.until) * 1000000)::bigint END"
          " FROM closed",
          fmt::arg("latest", quote_identifier(latest_table_name(table))),
          fmt::arg("day_of_closed", day_of_sql("closed.until")),
          fmt::arg("day_of_late", day_of_sql("hour"))),
      table);
  RollupBounds bounds;
  bounds.closed_until = row[0].as<std::string>();
  bounds.late_hours = row[1].as<std::string>();
  bounds.late_from = row[2].as<std::string>();
  bounds.late_to = row[3].as<std::string>();
  bounds.days_closed_until = row[4].as<std::string>();
  bounds.late_days = row[5].as<std::string>();
  if (!row[6].is_null()) {
    bounds.closed_until_time = WallTime(std::chrono::microseconds(row[6].as<std::int64_t>()));
  }
  return bounds;
}

void for_each_status_table(
    const ConsumerConfig& config, const std::string& what,
    const std::function<bool(pqxx::transaction_base& transaction, const std::string& table)>& read,
    ConnectionPool* pool) {
  ConnectionPool this_call_only(0);  // keeps nothing: each lease closes when returned
  ConnectionPool& connections = pool != nullptr ? *pool : this_call_only;
  // The consumer's own grouping: one connection per distinct database, its tables once each.
  for (const DatabaseTables& database : database_tables(config.topics)) {
    ConnectionTarget target;
    try {
      target = connection_target(database.read_connection_uri, config.session);
    } catch (const std::exception& error) {
      throw std::runtime_error(fmt::format(
          "{}: {}: {}", what, redact_connection_uri(database.read_connection_uri), error.what()));
    }
    std::optional<ConnectionPool::Lease> connection;
    try {
      connection.emplace(connections.lease(target));
    } catch (const std::exception& error) {
      throw std::runtime_error(fmt::format("{}: {}: {}", what, target.name,
                                           scrub_secrets(one_line(error.what()), target)));
    }
    for (const TableSpec& spec : database.tables) {
      // Events tables have no _latest or _hourly; hc status reads their states on its own.
      if (spec.kind != RouteKind::kMeasurements) continue;
      const std::string& table = spec.name;
      try {
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(**connection);
        // In one round trip. jit off: the estimated cost of the raw-row parts (planned before
        // their ranges are known to be small) would buy hundreds of ms of JIT compilation for a
        // few ms of work. work_mem: the sorts and aggregates over a page or a window of rollup
        // rows (a few MB) stay in memory rather than spilling to disk at the default 4 MB.
        transaction.exec0(
            "SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'");
        if (!read(transaction, table)) return;
      } catch (const pqxx::undefined_table& error) {
        throw MissingStatusTable(missing_relation(error.what(), table), table, target.name);
      } catch (const pqxx::sql_error& error) {
        if (error.sqlstate() == "42703" || error.sqlstate() == "42883") {
          throw MissingStatusTable(missing_object(error.what(), table), table, target.name);
        }
        throw std::runtime_error(fmt::format("{} of table {} in {}: {}", what, table, target.name,
                                             scrub_secrets(one_line(error.what()), target)));
      } catch (const MissingStatusTable&) {
        throw;
      } catch (const std::exception& error) {
        throw std::runtime_error(fmt::format("{} of table {} in {}: {}", what, table, target.name,
                                             scrub_secrets(one_line(error.what()), target)));
      }
    }
  }
}

}  // namespace hc::store
