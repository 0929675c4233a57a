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
#include "rollup_sql.h"
#include "rollups.h"
#include "router.h"
#include "status_states.h"
#include "status_tables.h"

namespace hc {
namespace {

using consumer::quote_identifier;

// The window's numbers per site, read without scanning the raw rows of the whole window:
//   [since, first_hour)         the part of an hour at the window's start: raw rows
//   [first_hour, closed_until)  closed hours: the rollup, except hours with late rows that wait
//                               for the next close (pending markers): raw rows of those hours
//   [max(first_hour, closed_until), ...)  hours not closed yet (the open hour): raw rows
// Raw rows go through <table>_hourly_from_raw, the rollup's own aggregate, so percentiles come
// from one histogram (hc_histogram_percentile) whichever part a check is in.
// Parameters: $1 table name, $2 since, $3 first_hour, $4 closed_until (timestamptz text),
// $5 now in microseconds since the epoch. Time values come back as microseconds since the
// epoch, keeping the C++ side free of timestamp text parsing.
std::string site_status_sql(const std::string& table) {
  return fmt::format(
      R"(WITH late AS (
  SELECT DISTINCT hour FROM hc_rollup_pending
  WHERE table_name = $1 AND hour >= $3::timestamptz AND hour < $4::timestamptz),
parts AS (
  SELECT url_digest, checks, up_checks, latency_histogram, min_response_us, max_response_us
  FROM {rollup}
  WHERE hour >= $3::timestamptz AND hour < $4::timestamptz AND hour NOT IN (SELECT hour FROM late)
  UNION ALL
  SELECT url_digest, checks, up_checks, latency_histogram, min_response_us, max_response_us
  FROM {from_raw}($2::timestamptz, $3::timestamptz)
  UNION ALL
  SELECT url_digest, checks, up_checks, latency_histogram, min_response_us, max_response_us
  FROM {from_raw}(greatest($3::timestamptz, $4::timestamptz), 'infinity')
  UNION ALL
  SELECT f.url_digest, f.checks, f.up_checks, f.latency_histogram, f.min_response_us,
         f.max_response_us
  FROM late, LATERAL {from_raw}(late.hour, late.hour + interval '1 hour') f),
in_window AS (
  SELECT url_digest, sum(checks) AS checks, sum(up_checks) AS up, {histogram} AS histogram,
         min(min_response_us) AS min_us, max(max_response_us) AS max_us
  FROM parts GROUP BY url_digest)
SELECT l.uri, l.status_code,
       (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.error,
       extract(epoch FROM l.cert_expires_at - to_timestamp($5::double precision / 1e6)) / 86400.0,
       coalesce(w.checks, 0), coalesce(w.up, 0),
       hc_histogram_percentile(w.histogram, 0.5, w.min_us, w.max_us)::bigint,
       hc_histogram_percentile(w.histogram, 0.95, w.min_us, w.max_us)::bigint,
       array_to_json(l.failed_conditions)::text
FROM {latest} l
LEFT JOIN in_window w USING (url_digest)
ORDER BY l.uri)",
      fmt::arg("latest", quote_identifier(consumer::latest_table_name(table))),
      fmt::arg("rollup", quote_identifier(consumer::hourly_rollup_name(table))),
      fmt::arg("from_raw", quote_identifier(consumer::hourly_from_raw_name(table))),
      fmt::arg("histogram", consumer::histogram_sum_sql("latency_histogram")));
}

// The first hour boundary at or after `time`.
WallTime hour_ceil(WallTime time) {
  const WallTime floor = consumer::hour_floor(time);
  return floor == time ? floor : floor + std::chrono::hours(1);
}

// Where the rollup of `table` ends: hours before it are closed. "-infinity" if never closed
// or if the table has no site yet (then nothing is read). <table>_latest comes first in FROM, so
// an unmigrated database is reported by the name of the relation people know.
std::string closed_until(pqxx::transaction_base& transaction, const std::string& table) {
  const pqxx::result rows = transaction.exec_params(
      fmt::format("SELECT s.closed_until FROM (SELECT 1 FROM {} LIMIT 1) AS any_site"
                  " LEFT JOIN hc_rollup_state s ON s.table_name = $1",
                  quote_identifier(consumer::latest_table_name(table))),
      table);
  if (rows.empty() || rows[0][0].is_null()) return "-infinity";
  return rows[0][0].as<std::string>();
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
  const WallTime since = now - std::chrono::duration_cast<std::chrono::microseconds>(window);
  const WallTime first_hour = hour_ceil(since);
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
        // One snapshot for both statements: the rollup's end and the window's numbers.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(*connection);
        // The estimated cost of the raw-row parts (planned before their ranges are known to be
        // small) would buy hundreds of ms of JIT compilation for a few ms of work.
        transaction.exec0("SET LOCAL jit = off");
        const std::string closed = closed_until(transaction, table);
        pqxx::result rows =
            transaction.exec_params(site_status_sql(table), table, format_timestamp(since),
                                    format_timestamp(first_hour), closed, now_us);
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
