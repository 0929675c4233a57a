#include "pg_migrations.h"

#include <fmt/format.h>

#include <pqxx/pqxx>
#include <set>
#include <vector>

#include "measurement_columns.h"
#include "partition_layout.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "window_sums.h"

namespace hc::store {
namespace {

// Arbitrary but fixed: every hc process migrating this database takes the same lock.
constexpr long long kMigrationLockKey = 0x68635f6d6967;  // "hc_mig"

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS hc_schema_migrations ("
    " table_name text NOT NULL,"
    " version int NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (table_name, version))";

// The views of migration 4 (newest measurement per site, hourly rollup per site), on whatever
// {table} names when run: migration 5 runs them again on the partitioned parent.
constexpr const char* kViewsOnTheTable =
    "CREATE OR REPLACE VIEW {latest} AS"
    " SELECT DISTINCT ON (url_digest) * FROM {table}"
    " ORDER BY url_digest, measurement_time DESC;"
    "CREATE OR REPLACE VIEW {hourly} AS"
    " SELECT url_digest, min(uri) AS uri,"
    " date_trunc('hour', measurement_time) AS hour,"
    " count(*) AS checks,"
    " count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up_checks,"
    " round(100.0 * count(*) FILTER (WHERE hc_measurement_up(healthy, error)) / count(*), 2)"
    "   AS uptime_percent,"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_microseconds)"
    "   AS p50_response_us,"
    " percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_microseconds)"
    "   AS p95_response_us,"
    " max(response_time_microseconds) AS max_response_us"
    " FROM {table} GROUP BY url_digest, date_trunc('hour', measurement_time)";

// The migration that makes <table>_latest a table; columns of later migrations are added to it
// as well as to the measurements table.
constexpr int kLatestTableVersion = 6;

// Version 6: <table>_latest becomes a table kept by the consumer (newer wins), filled from the
// raw rows; hourly rollups (rollup_sql.h), and <table>_hourly reads them.
std::string latest_table_and_rollups(const std::string& table) {
  const std::string quoted_table = quote_identifier(table);
  const std::string latest = quote_identifier(latest_table_name(table));
  return fmt::format(
      "DROP VIEW IF EXISTS {0};{1};{2};{3};{4}", latest,
      latest_table_sql(measurement_columns(), latest, kLatestTableVersion),
      latest_backfill_sql(measurement_columns(), latest, quoted_table, kLatestTableVersion),
      rollup_functions_sql(), hourly_rollup_relations_sql(table));
}

}  // namespace

const std::vector<Migration>& table_migrations() {
  // Version 1 is the seed's seven-column table, so a table created by the seed (same
  // shape) upgrades through version 2 like a new one. Never edit a released migration:
  // add the next number.
  static const std::vector<Migration> migrations = {
      {1, "seed table: the measurement and its primary key", ""},
      {2, "error class, timing phases, body size, certificate expiry", ""},
      // Back `hc status`; psql users get the same numbers. DISTINCT ON walks the primary
      // key backwards, one row per site.
      {3, "views: newest measurement per site, hourly rollup per site",
       "CREATE OR REPLACE VIEW {latest} AS"
       " SELECT DISTINCT ON (url_digest) * FROM {table}"
       " ORDER BY url_digest, measurement_time DESC;"
       "CREATE OR REPLACE VIEW {hourly} AS"
       " SELECT url_digest, min(uri) AS uri,"
       " date_trunc('hour', measurement_time) AS hour,"
       " count(*) AS checks,"
       " count(*) FILTER (WHERE error IS NULL) AS up_checks,"
       " round(100.0 * count(*) FILTER (WHERE error IS NULL) / count(*), 2) AS uptime_percent,"
       " percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_microseconds)"
       "   AS p50_response_us,"
       " percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_microseconds)"
       "   AS p95_response_us,"
       " max(response_time_microseconds) AS max_response_us"
       " FROM {table} GROUP BY url_digest, date_trunc('hour', measurement_time)"},
      // hc_measurement_up is the one definition of "up" in SQL: the producer's verdict when
      // the row has one, else the older rule (no transport error). IMMUTABLE SQL, so the
      // planner inlines it. The views are redefined with it; `*` takes the new columns.
      {4, "verdict columns (healthy, failed_conditions, body_truncated, attempts); up = healthy",
       std::string("CREATE OR REPLACE FUNCTION hc_measurement_up(healthy boolean, error text)"
                   " RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE"
                   " AS 'SELECT coalesce($1, $2 IS NULL)';") +
           kViewsOnTheTable},
      // Range partitions by measurement_time (partition_layout.h). A heap table is converted in
      // place without rewriting a row: renamed to {archive}, a partitioned parent with the
      // same columns and primary key takes its name, and the heap is attached as the
      // catch-all partition FROM (MINVALUE) TO (the UTC day after its newest row; today for
      // an empty table). The CHECK constraint validated first proves that range, so ATTACH
      // does not scan again; VALIDATE reads the heap once and writes nothing. The views
      // followed the rename: they are pointed at the parent again.
      {5, "range partitions by measurement_time; an existing table becomes the catch-all",
       std::string(
           "DO $hc$ DECLARE upper_bound timestamptz; old_key name; BEGIN"
           " IF (SELECT relkind FROM pg_class WHERE oid = '{table}'::regclass) = 'p' THEN RETURN;"
           " END IF;"
           " ALTER TABLE {table} RENAME TO {archive};"
           " SELECT conname INTO old_key FROM pg_constraint"
           "  WHERE conrelid = '{archive}'::regclass AND contype = 'p';"
           " IF old_key IS NOT NULL THEN"
           "  EXECUTE format('ALTER TABLE {archive} RENAME CONSTRAINT %I TO {archive_key}',"
           "   old_key);"
           " END IF;"
           " CREATE TABLE {table} (LIKE {archive} INCLUDING DEFAULTS)"
           "  PARTITION BY RANGE (measurement_time);"
           " ALTER TABLE {table} ADD CONSTRAINT {table_key}"
           "  PRIMARY KEY (url_digest, measurement_time);"
           " SELECT coalesce(date_trunc('day', max(measurement_time), 'UTC') + interval '1 day',"
           "  date_trunc('day', now(), 'UTC')) INTO upper_bound FROM {archive};"
           " EXECUTE format('ALTER TABLE {archive} ADD CONSTRAINT hc_partition_range CHECK"
           "  (measurement_time IS NOT NULL AND measurement_time < %L) NOT VALID', upper_bound);"
           " ALTER TABLE {archive} VALIDATE CONSTRAINT hc_partition_range;"
           " EXECUTE format('ALTER TABLE {table} ATTACH PARTITION {archive}"
           "  FOR VALUES FROM (MINVALUE) TO (%L)', upper_bound);"
           " ALTER TABLE {archive} DROP CONSTRAINT hc_partition_range;"
           " END $hc$;") +
           kViewsOnTheTable},
      // Version 5 is the partitioning of the measurements table. 6 reads and writes that table
      // with plain SQL only, partitioned or not.
      {6, "latest table (newer wins), exact hourly rollups, hourly view over them", "",
       &latest_table_and_rollups},
      // Per site and UTC day, the sums of the hourly rollup: 90 days of 10,000 sites are 900,000
      // rows to read instead of 21.6 million hours.
      {7, "daily rollups of the hourly rollup", "",
       [](const std::string& table) { return daily_rollup_relations_sql(table); }},
      {8,
       "check types: check_type, the tls check's protocol, cipher and chain, the dns check's "
       "rcode and answers",
       ""},
      {9, "address: the IP address a check connected to", ""},
      {10, "icmp checks: round-trip times (min, mean, max) and loss percent", ""},
      // Per site, the sums of the closed hours of the 24 h, 7 d and 30 d windows and of months:
      // one row per site for `hc status --since` and the month report (window_sums.h).
      {11, "window sums of the readers' windows and months", "",
       [](const std::string& table) { return window_sums_relations_sql(table); }},
  };
  return migrations;
}

const std::vector<Migration>& event_table_migrations() {
  // Never edit a released migration: add the next number.
  static const std::vector<Migration> migrations = {
      // The newest event per site (DISTINCT ON walks the primary key backwards) says whether
      // it is down now; down_since is the `at` of that change.
      {1, "state-change events; view of the sites down now",
       "CREATE OR REPLACE VIEW {open} AS"
       " SELECT url_digest, url, at AS down_since,"
       " date_trunc('second', now() - at) AS down_for,"
       " from_state, failed_conditions, error, error_detail, status_code"
       " FROM (SELECT DISTINCT ON (url_digest) * FROM {table}"
       "       ORDER BY url_digest, at DESC) AS newest"
       " WHERE to_state = 'down'"},
  };
  return migrations;
}

std::string migration_sql(const Migration& migration, const std::string& table,
                          TableColumns columns, RouteKind kind) {
  const std::string quoted = quote_identifier(table);
  // Relations named after their table (pg_sql.h).
  std::string statements = fmt::format(
      fmt::runtime(migration.statements), fmt::arg("table", quoted),
      fmt::arg("latest", quote_identifier(latest_table_name(table))),
      fmt::arg("hourly", quote_identifier(hourly_view_name(table))),
      fmt::arg("open", quote_identifier(derived_identifier(table, "_open"))),
      fmt::arg("archive", quote_identifier(catch_all_name(table))),
      fmt::arg("archive_key", quote_identifier(derived_identifier(table, "_before_pkey"))),
      fmt::arg("table_key", quote_identifier(derived_identifier(table, "_pkey"))));
  std::vector<std::string> parts = {migration_columns_sql(columns, quoted, migration.version)};
  // A measurements table's <table>_latest has its columns: those added after it became a
  // table are added to both.
  if (kind == RouteKind::kMeasurements && migration.version > kLatestTableVersion) {
    parts.push_back(migration_columns_sql(columns, quote_identifier(latest_table_name(table)),
                                          migration.version));
  }
  parts.push_back(std::move(statements));
  if (migration.derived_statements != nullptr) parts.push_back(migration.derived_statements(table));
  std::erase_if(parts, [](const std::string& part) { return part.empty(); });
  return fmt::format("{}", fmt::join(parts, ";"));
}

std::vector<int> migrate_table(pqxx::connection& connection, const std::string& table,
                               TableColumns columns, const std::vector<Migration>& migrations,
                               RouteKind kind) {
  pqxx::work txn(connection, "hc_migrate");
  // Taken before anything else, including creating hc_schema_migrations: two concurrent
  // "CREATE TABLE IF NOT EXISTS" can otherwise both try to create it and one fails.
  txn.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLockKey));
  txn.exec0(kCreateMigrationsTable);
  std::set<int> applied;
  for (const auto& row :
       txn.exec_params("SELECT version FROM hc_schema_migrations WHERE table_name = $1", table)) {
    applied.insert(row[0].as<int>());
  }
  std::vector<int> applied_now;
  for (const auto& migration : migrations) {
    if (applied.count(migration.version) != 0) continue;
    txn.exec0(migration_sql(migration, table, columns, kind));
    txn.exec_params0("INSERT INTO hc_schema_migrations (table_name, version) VALUES ($1, $2)",
                     table, migration.version);
    applied_now.push_back(migration.version);
  }
  txn.commit();
  return applied_now;
}

}  // namespace hc::store
