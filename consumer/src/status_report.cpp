#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>

#include "db_error.h"
#include "hc/consumer/status.h"
#include "pg_connection.h"
#include "pg_sql.h"
#include "pg_uri.h"
#include "router.h"
#include "status_tables.h"
#include "status_states.h"

namespace hc {
namespace {

using consumer::quote_identifier;

// Newest row per site from the <table>_latest view, joined with the window's aggregates.
// "Up" is hc_measurement_up, the migrations' one definition (the verdict, else no error).
// Time values cross as microseconds since the epoch to keep the C++ side free of
// timestamp text parsing.
std::string site_status_sql(const std::string& table) {
  return fmt::format(
      R"(SELECT l.uri, l.status_code,
       (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.error,
       extract(epoch FROM l.cert_expires_at - to_timestamp($1::double precision / 1e6)) / 86400.0,
       coalesce(w.checks, 0), coalesce(w.up, 0), w.p50::bigint, w.p95::bigint,
       array_to_json(l.failed_conditions)::text
FROM {latest} l
LEFT JOIN (
  SELECT url_digest, count(*) AS checks,
         count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_microseconds) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_microseconds) AS p95
  FROM {table}
  WHERE measurement_time >= to_timestamp($2::double precision / 1e6)
  GROUP BY url_digest) w USING (url_digest)
ORDER BY l.uri)",
      fmt::arg("latest", quote_identifier(table + "_latest")),
      fmt::arg("table", quote_identifier(table)));
}

using consumer::missing_object;
using consumer::missing_relation;
using consumer::optional_field;

}  // namespace

MissingStatusTable::MissingStatusTable(const std::string& relation, const std::string& table,
                                       const std::string& database)
    : std::runtime_error(fmt::format("{} does not exist in {} (table {} is not migrated)", relation,
                                     database, table)) {}

std::vector<SiteStatus> read_site_status(const ConsumerConfig& config, std::chrono::seconds window,
                                         WallTime now) {
  // The consumer's own grouping: one connection per distinct database, its tables once each.
  const consumer::Router router(config.topics);
  const std::int64_t now_us = now.time_since_epoch().count();
  const std::int64_t since_us = now_us - std::chrono::microseconds(window).count();
  std::vector<SiteStatus> sites;
  for (std::size_t database = 0; database < router.database_uris().size(); ++database) {
    // The consumer's session settings (timeouts, keepalives, UTF8); errors scrubbed of
    // the password, which libpq's text may echo.
    consumer::ConnectionTarget target;
    try {
      target = consumer::connection_target(router.database_uris()[database],
                                           consumer::session_settings(config));
    } catch (const std::exception& error) {
      throw std::runtime_error(fmt::format(
          "status: {}: {}", consumer::redact_connection_uri(router.database_uris()[database]),
          error.what()));
    }
    std::unique_ptr<pqxx::connection> connection;  // one per database, shared by its tables
    try {
      connection = consumer::open_connection(target);
    } catch (const std::exception& error) {
      throw std::runtime_error(
          fmt::format("status: {}: {}", target.name,
                      consumer::scrub_secrets(consumer::one_line(error.what()), target)));
    }
    for (const auto& table : router.tables_of(database)) {
      if (consumer::is_events_table(router, database, table)) continue;  // see add_site_states
      try {
        pqxx::read_transaction transaction(*connection);
        pqxx::result rows = transaction.exec_params(site_status_sql(table), now_us, since_us);
        for (const auto& row : rows) {
          SiteStatus site;
          site.table = table;
          site.url = row[0].as<std::string>();
          site.last_status_code = optional_field<int>(row[1]);
          site.last_checked_at = WallTime(std::chrono::microseconds(row[2].as<std::int64_t>()));
          site.last_error = optional_field<std::string>(row[3]);
          site.cert_days_left = optional_field<double>(row[4]);
          site.checks = row[5].as<std::int64_t>();
          std::int64_t up = row[6].as<std::int64_t>();
          site.uptime_percent =
              site.checks > 0 ? 100.0 * static_cast<double>(up) / static_cast<double>(site.checks)
                              : 0.0;
          site.p50_response_us = optional_field<std::int64_t>(row[7]);
          site.p95_response_us = optional_field<std::int64_t>(row[8]);
          if (!row[9].is_null()) {
            // A JSON array from PostgreSQL itself; a NULL element (written by hand) is skipped.
            for (const auto& condition : nlohmann::json::parse(row[9].c_str())) {
              if (condition.is_string()) site.last_failed_conditions.push_back(condition);
            }
          }
          sites.push_back(std::move(site));
        }
      } catch (const pqxx::undefined_table& error) {
        throw MissingStatusTable(missing_relation(error.what(), table), table, target.name);
      } catch (const pqxx::sql_error& error) {
        // A column or function of a later migration (42703, 42883): the table predates it.
        if (error.sqlstate() == "42703" || error.sqlstate() == "42883") {
          throw MissingStatusTable(missing_object(error.what(), table), table, target.name);
        }
        throw std::runtime_error(
            fmt::format("status of table {} in {}: {}", table, target.name,
                        consumer::scrub_secrets(consumer::one_line(error.what()), target)));
      } catch (const std::exception& error) {
        throw std::runtime_error(
            fmt::format("status of table {} in {}: {}", table, target.name,
                        consumer::scrub_secrets(consumer::one_line(error.what()), target)));
      }
    }
  }
  consumer::add_site_states(router, config, sites);
  return sites;
}

}  // namespace hc
