// The migrations against a real throwaway PostgreSQL 15: the migrated schema is the column
// list (measurement_columns.h), tables made by earlier versions upgrade keeping every row,
// and "up" has one definition (hc_measurement_up) used by the views.
#include "pg_migrations.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "event_columns.h"
#include "hc/common/url_digest.h"
#include "hc/store/table_writer.h"
#include "hc/test/postgres_test.h"
#include "hc/test/support.h"
#include "measurement_columns.h"
#include "partition_layout.h"
#include "pg_sql.h"
#include "rollups.h"

namespace hc::store {
namespace {

class PgMigrationsTest : public test::PostgresTest<PgMigrationsTest> {
 protected:
  void migrate(const std::string& table = "healthcheck") {
    pqxx::connection connection(uri());
    migrate_table(connection, table, measurement_columns(), table_migrations(),
                  RouteKind::kMeasurements);
  }

  // "name:type" per column of `table` as PostgreSQL has it, in table order.
  std::string migrated_columns(const std::string& table) const {
    return query(
        fmt::format("SELECT string_agg(column_name || ':' || (udt_name::regtype)::text, ','"
                    " ORDER BY ordinal_position) FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND table_name = '{}'",
                    table));
  }
  // The same for the column list, its types spelled by PostgreSQL (so "int" = "integer").
  std::string listed_columns(TableColumns list = measurement_columns()) const {
    std::vector<std::string> columns;
    for (const auto& column : list) {
      columns.push_back(fmt::format("'{}:' || '{}'::regtype::text", column.name, column.sql_type));
    }
    return query(fmt::format("SELECT {}", fmt::join(columns, " || ',' || ")));
  }
};

TEST_F(PgMigrationsTest, ANewTableHasExactlyTheListedColumns) {
  migrate();
  EXPECT_EQ(migrated_columns("healthcheck"), listed_columns());
  EXPECT_NE(listed_columns().find("failed_conditions:text[]"), std::string::npos);
}

// The seed's own schema (seven columns, no migrations table) and its rows.
TEST_F(PgMigrationsTest, ASeedTableBecomesTheListedColumnsKeepingEveryRow) {
  query(
      "CREATE TABLE healthcheck (url_digest bytea, measurement_time timestamptz,"
      " response_time_microseconds bigint, uri text, status_code int, regex_present bool,"
      " regex_match bool, PRIMARY KEY (url_digest, measurement_time));"
      "INSERT INTO healthcheck SELECT sha256(i::text::bytea), '2026-01-01'::timestamptz"
      " + i * interval '1 minute', i, 'https://seed/' || (i % 7), 200, i % 2 = 0, null"
      " FROM generate_series(1, 500) i");
  const std::string before =
      "SELECT count(*), sum(response_time_microseconds), count(DISTINCT uri) FROM healthcheck";
  const std::string rows_before = query(before);
  migrate();
  EXPECT_EQ(migrated_columns("healthcheck"), listed_columns());
  EXPECT_EQ(query(before), rows_before);
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck WHERE healthy IS NULL AND attempts IS NULL"
                  " AND failed_conditions IS NULL AND body_truncated IS NULL"),
            "500");
}

// What the previous release made, as it wrote it (migrations 1..3 as released, not derived
// from today's list: a column wrongly added to a released migration must show up here).
constexpr const char* kPreviousRelease =
    "CREATE TABLE hc_schema_migrations (table_name text NOT NULL, version int NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, version));"
    "CREATE TABLE IF NOT EXISTS healthcheck ("
    " url_digest bytea NOT NULL,"
    " measurement_time timestamptz NOT NULL,"
    " response_time_microseconds bigint,"
    " uri text,"
    " status_code int,"
    " regex_present bool,"
    " regex_match bool,"
    " PRIMARY KEY (url_digest, measurement_time));"
    "ALTER TABLE healthcheck"
    " ADD COLUMN IF NOT EXISTS error text,"
    " ADD COLUMN IF NOT EXISTS error_detail text,"
    " ADD COLUMN IF NOT EXISTS dns_us bigint,"
    " ADD COLUMN IF NOT EXISTS connect_us bigint,"
    " ADD COLUMN IF NOT EXISTS tls_us bigint,"
    " ADD COLUMN IF NOT EXISTS ttfb_us bigint,"
    " ADD COLUMN IF NOT EXISTS body_bytes bigint,"
    " ADD COLUMN IF NOT EXISTS cert_expires_at timestamptz;"
    "CREATE OR REPLACE VIEW healthcheck_latest AS"
    " SELECT DISTINCT ON (url_digest) * FROM healthcheck"
    " ORDER BY url_digest, measurement_time DESC;"
    "CREATE OR REPLACE VIEW healthcheck_hourly AS"
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
    " FROM healthcheck GROUP BY url_digest, date_trunc('hour', measurement_time);"
    "INSERT INTO hc_schema_migrations (table_name, version)"
    " VALUES ('healthcheck', 1), ('healthcheck', 2), ('healthcheck', 3);";

TEST_F(PgMigrationsTest, ATableOfThePreviousReleaseUpgradesKeepingRowsAndViews) {
  const std::string previous_release = kPreviousRelease;
  query(previous_release +
        "INSERT INTO healthcheck (url_digest, measurement_time, response_time_microseconds, uri,"
        " status_code, regex_present, error)"
        " SELECT sha256((i % 3)::text::bytea), '2026-01-01'::timestamptz + i * interval '1 s',"
        " i, 'https://old/' || (i % 3), 200, false, CASE WHEN i % 4 = 0 THEN 'timeout' END"
        " FROM generate_series(1, 300) i");
  ASSERT_EQ(query("SELECT count(*) FROM information_schema.columns"
                  " WHERE table_name = 'healthcheck_latest'"),
            "15");
  migrate();
  EXPECT_EQ(migrated_columns("healthcheck"), listed_columns());
  EXPECT_EQ(query("SELECT count(*), sum(response_time_microseconds) FROM healthcheck"),
            "300|45150");
  EXPECT_EQ(migrated_columns("healthcheck_latest"), listed_columns());
  // Old rows have no verdict: up is "no error", as before (75 of the 300 are timeouts).
  EXPECT_EQ(query("SELECT sum(checks), sum(up_checks) FROM healthcheck_hourly"), "300|225");
  EXPECT_EQ(query("SELECT string_agg(version::text, ',' ORDER BY version)"
                  " FROM hc_schema_migrations WHERE table_name = 'healthcheck'"),
            "1,2,3,4,5,6,7,8,9,10,11");
}

// A table at version 4 (latest and hourly as views over the raw rows) with rows of several sites
// and hours becomes version 6: the latest table holds what the old view gave, and the hourly view
// gives the old view's numbers, before the first close (from raw rows) and after it (from the
// rollup). Percentiles are histogram estimates now (rollups_test checks them).
TEST_F(PgMigrationsTest, AVersion4TableKeepsWhatItsViewsGaveAsTablesAndRollups) {
  std::string version_4;
  for (const auto& migration : table_migrations()) {
    if (migration.version > 4) break;
    version_4 +=
        migration_sql(migration, "healthcheck", measurement_columns(), RouteKind::kMeasurements) +
        ";";
    version_4 += fmt::format(
        "INSERT INTO hc_schema_migrations (table_name, version)"
        " VALUES ('healthcheck', {});",
        migration.version);
  }
  query(
      "CREATE TABLE hc_schema_migrations (table_name text NOT NULL, version int NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, version));" +
      version_4 +
      "INSERT INTO healthcheck (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, error, healthy, failed_conditions)"
      " SELECT sha256((i % 4)::text::bytea), '2026-01-01 00:00+00'::timestamptz"
      " + i * interval '97 s', 500 + (i * 7919) % 900000, 'https://old/' || (i % 4), 200, false,"
      " CASE WHEN i % 9 = 0 THEN 'timeout' END, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 7 <> 0 END,"
      " '{}' FROM generate_series(1, 400) i");
  // The columns of version 4 (later versions add columns, NULL in these rows).
  const std::string latest =
      "SET TimeZone = 'UTC'; SELECT url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, regex_match, error, error_detail, dns_us, connect_us, tls_us,"
      " ttfb_us, body_bytes, cert_expires_at, healthy, failed_conditions, body_truncated, attempts"
      " FROM healthcheck_latest ORDER BY 1";
  const std::string hourly =
      "SET TimeZone = 'UTC'; SELECT url_digest, uri, hour, checks, up_checks, uptime_percent,"
      " max_response_us FROM healthcheck_hourly ORDER BY 1, 3";
  const std::string latest_before = query(latest);
  const std::string hourly_before = query(hourly);
  ASSERT_EQ(query("SELECT count(*) FROM healthcheck_hourly"), "44");  // 4 sites x 11 hours

  migrate();
  EXPECT_EQ(query("SELECT relkind FROM pg_class WHERE relname = 'healthcheck_latest'"), "r");
  EXPECT_EQ(query(latest), latest_before);
  EXPECT_EQ(query(hourly), hourly_before);
  EXPECT_EQ(query("SELECT count(DISTINCT hour) FROM hc_rollup_pending"), "11");
  {
    pqxx::connection connection(uri());
    pqxx::work txn(connection);
    close_hourly_rollups(txn, "healthcheck", WallTime(std::chrono::hours(600'000)), 0);
    txn.commit();
  }
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck_hourly_rollup"), "44");
  EXPECT_EQ(query(hourly), hourly_before);
  EXPECT_EQ(query(latest), latest_before);
}

Measurement measurement(const std::string& url, std::int64_t minute) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = WallTime(std::chrono::minutes(29'000'000 + minute));
  m.status_code = 200;
  m.response_time_us = 1000;
  return m;
}

// up = healthy when the row has it, else no error: a 200 that failed a condition is down, a
// verdict of healthy overrides nothing else, an old producer's row keeps the old rule.
TEST_F(PgMigrationsTest, UpIsTheVerdictWhenPresentElseNoError) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows rows;
  Measurement slow = measurement("https://a/", 1);
  slow.healthy = false;
  slow.failed_conditions = {"response_time"};
  Measurement fine = measurement("https://a/", 2);
  fine.healthy = true;
  Measurement old_ok = measurement("https://a/", 3);
  Measurement old_error = measurement("https://a/", 4);
  old_error.error = "timeout";
  for (const auto& m : {slow, fine, old_ok, old_error}) rows.add(m);
  sink.write({&rows});
  EXPECT_EQ(query("SELECT checks, up_checks, uptime_percent FROM healthcheck_hourly"), "4|2|50.00");
  EXPECT_EQ(query("SELECT string_agg(coalesce(healthy::text, 'null') || '/' ||"
                  " hc_measurement_up(healthy, error)::text, ',' ORDER BY measurement_time)"
                  " FROM healthcheck"),
            "false/false,true/true,null/true,null/false");
}

TEST_F(PgMigrationsTest, WritesAndReadsBackTheVerdictColumns) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  Measurement m = measurement("https://v/", 1);
  m.healthy = false;
  m.failed_conditions = {
      "status",   "header:Content-Type", "a,b", "{x}", "NULL", "", " s ", "q\"x", "b\\s",
      "t\tn\nr\r"};
  m.body_truncated = true;
  m.attempts = 4;
  TableRows rows;
  rows.add(m);
  sink.write({&rows});
  EXPECT_EQ(query("SELECT healthy, body_truncated, attempts, cardinality(failed_conditions),"
                  " failed_conditions[5] IS NULL FROM healthcheck"),
            "f|t|4|10|f");
  pqxx::connection connection(uri());
  pqxx::read_transaction txn(connection);
  const auto result = txn.exec("SELECT unnest(failed_conditions) FROM healthcheck");
  std::vector<std::string> back;
  for (const auto& row : result) back.push_back(row[0].as<std::string>());
  EXPECT_EQ(back, m.failed_conditions);
}

// The upsert's IS DISTINCT FROM guard covers the new columns: an identical replay writes
// no row version, a change in any one of them does.
TEST_F(PgMigrationsTest, TheReplayGuardComparesTheVerdictColumns) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  Measurement m = measurement("https://g/", 1);
  m.healthy = false;
  m.failed_conditions = {"status"};
  m.attempts = 2;
  TableRows rows;
  rows.add(m);
  sink.write({&rows});
  const std::string version_sql = "SELECT xmin::text FROM healthcheck";
  const std::string first = query(version_sql);
  sink.write({&rows});
  ASSERT_EQ(query(version_sql), first);
  const std::vector<void (*)(Measurement&)> changes = {
      [](Measurement& c) { c.healthy = std::nullopt; },
      [](Measurement& c) {
        c.failed_conditions = {"status", "regex"};
      },
      [](Measurement& c) { c.body_truncated = true; },
      [](Measurement& c) { c.attempts = 3; },
  };
  std::string previous = first;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Measurement changed = m;
    changes[i](changed);
    TableRows one;
    one.add(changed);
    sink.write({&one});
    const std::string now = query(version_sql);
    EXPECT_NE(now, previous) << "change " << i << " was not written";
    previous = now;
  }
}

EventRow event_row(const std::string& url, SiteStatus from, SiteStatus to, std::int64_t at_s) {
  EventRow row;
  row.url_digest = url_digest(url);
  row.event.url = url;
  row.event.from = from;
  row.event.to = to;
  row.event.at = WallTime(std::chrono::seconds(at_s));
  if (from != SiteStatus::kUnknown) row.event.since = WallTime(std::chrono::seconds(at_s - 60));
  if (to == SiteStatus::kDown)
    row.event.cause = StateCause{{"status"}, "unexpected_status", "", 500};
  row.event.producer = "test:1";
  return row;
}

// Names of up to 63 bytes (the most PostgreSQL keeps) work: every derived relation gets its own
// name of at most 63 bytes, shortened with a hash like partition names, so none collide where
// PostgreSQL would cut "<name>_hourly_rollup" and "<name>_hourly_from_raw" to the same prefix.
TEST_F(PgMigrationsTest, TableNamesOf56And63BytesMigrateWithDistinctDerivedNames) {
  const std::string name63(63, 'm');
  const std::string name56(56, 'n');
  const std::string events63(63, 'e');
  TableWriter sink(uri(), {{name63}, {name56}, {events63, RouteKind::kEvents}});
  sink.migrate();
  TableRows rows;
  rows.add(measurement("https://long/", 1));
  sink.write({&rows, nullptr, nullptr});
  std::set<std::string> names;
  for (const std::string& table : {name63, name56}) {
    for (const std::string& derived :
         {latest_table_name(table), hourly_view_name(table), hourly_rollup_name(table),
          daily_rollup_name(table), hourly_from_raw_name(table), catch_all_name(table)}) {
      EXPECT_LE(derived.size(), 63u) << derived;
      EXPECT_TRUE(names.insert(derived).second) << "twice: " << derived;
      // Exactly one relation (or the function) of that name.
      EXPECT_EQ(
          query("SELECT (SELECT count(*) FROM pg_class WHERE relname = " + quote_literal(derived) +
                ") + (SELECT count(*) FROM pg_proc WHERE proname = " + quote_literal(derived) +
                ")"),
          "1")
          << derived;
    }
  }
  const std::string open = derived_identifier(events63, "_open");
  EXPECT_LE(open.size(), 63u);
  EXPECT_EQ(query("SELECT count(*) FROM " + quote_identifier(open)), "0");
  EXPECT_EQ(query("SELECT count(*) FROM " + quote_identifier(latest_table_name(name63))), "1");
  EXPECT_EQ(query("SELECT count(*) FROM " + quote_identifier(name63)), "1");
}

TEST_F(PgMigrationsTest, AnEventsTableHasExactlyItsListedColumnsAndItsOwnMigrationRecords) {
  TableWriter(uri(), {{"healthcheck"}, {"ev", RouteKind::kEvents}}).migrate();
  EXPECT_EQ(migrated_columns("ev"), listed_columns(event_columns()));
  EXPECT_EQ(migrated_columns("healthcheck"), listed_columns(measurement_columns()));
  EXPECT_EQ(query("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                  "hc_schema_migrations WHERE table_name = 'ev'"),
            "1");
  EXPECT_EQ(query("SELECT count(*) FROM ev_open"), "0");
}

TEST_F(PgMigrationsTest, EventsAreUpsertedOnceAndTheOpenViewListsTheSitesDownNow) {
  TableWriter sink(uri(), {{"ev", RouteKind::kEvents}});
  sink.migrate();
  const std::int64_t t0 = 1'795'000'000;
  TableRows first;
  first.add(event_row("https://a/", SiteStatus::kUnknown, SiteStatus::kUp, t0));
  first.add(event_row("https://b/", SiteStatus::kUnknown, SiteStatus::kUp, t0));
  first.add(event_row("https://a/", SiteStatus::kUp, SiteStatus::kDown, t0 + 60));
  sink.write({&first});
  EXPECT_EQ(query("SELECT string_agg(url || ' ' || to_state || ' ' || coalesce(error, '-') || ' '"
                  " || coalesce(status_code::text, '-'), ',' ORDER BY at, url) FROM ev"),
            "https://a/ up - -,https://b/ up - -,https://a/ down unexpected_status 500");
  EXPECT_EQ(query("SELECT url || ' ' || error || ' ' || (down_since = to_timestamp(" +
                  std::to_string(t0 + 60) +
                  "))::text || ' ' || (down_for > interval '0')::text"
                  " FROM ev_open"),
            "https://a/ unexpected_status true true");
  sink.write({&first});  // a replay: nothing new
  EXPECT_EQ(query("SELECT count(*) FROM ev"), "3");
  TableRows back_up;
  back_up.add(event_row("https://a/", SiteStatus::kDown, SiteStatus::kUp, t0 + 120));
  sink.write({&back_up});
  EXPECT_EQ(query("SELECT count(*) FROM ev_open"), "0");
  EXPECT_EQ(query("SELECT count(*) FROM ev"), "4");
}

TEST_F(PgMigrationsTest, AnEventsTableAcceptsItsKindsSampleRow) {
  TableWriter sink(uri(), {{"ev", RouteKind::kEvents}});
  sink.migrate();
  EXPECT_NO_THROW(sink.check_table_accepts_rows(0));
  EXPECT_EQ(query("SELECT count(*) FROM ev"), "0");
}

// --- Migration 5: range partitions, an existing table converted in place ---

// The heap's file, its rows and their checksum: what "not rewritten" and "every row kept" mean.
struct HeapState {
  std::string relfilenode;
  std::string rows_and_checksum;
};

class PartitionConversionTest : public PgMigrationsTest {
 protected:
  HeapState heap_state(const std::string& relation) const {
    return {query("SELECT relfilenode FROM pg_class WHERE oid = '" + relation + "'::regclass"),
            query("SELECT count(*) || '/' || md5(string_agg(t::text, ',' ORDER BY url_digest,"
                  " measurement_time)) FROM healthcheck t")};
  }
  std::string relkind(const std::string& relation) const {
    return query("SELECT relkind FROM pg_class WHERE oid = '" + relation + "'::regclass");
  }
  // "partition: bound" of every partition of healthcheck, by name.
  std::string partitions() const {
    return query(
        "SELECT string_agg(c.relname || ': ' || pg_get_expr(c.relpartbound, c.oid), '; '"
        " ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'healthcheck'::regclass");
  }
  // Writes the same rows twice through the sink: the second write changes no row version.
  void expect_upsert_idempotent() {
    TableWriter sink(uri(), {{"healthcheck"}});
    TableRows rows;
    for (int i = 0; i < 50; ++i) rows.add(measurement("https://after/" + std::to_string(i), i));
    sink.write({&rows});
    const std::string versions = query(
        "SELECT count(*) || '/' || string_agg(xmin::text, ',' ORDER BY uri)"
        " FROM healthcheck WHERE uri LIKE 'https://after/%'");
    sink.write({&rows});
    EXPECT_EQ(query("SELECT count(*) || '/' || string_agg(xmin::text, ',' ORDER BY uri)"
                    " FROM healthcheck WHERE uri LIKE 'https://after/%'"),
              versions);
    EXPECT_EQ(versions.substr(0, 3), "50/");
  }
};

TEST_F(PartitionConversionTest, APopulatedTableOfVersion4BecomesTheCatchAllPartitionUnrewritten) {
  migrate();  // today's shape, but as a heap: undo migrations 5 and 6 to get the version-4 table
  query(
      "DROP TABLE healthcheck CASCADE;"
      "DROP TABLE healthcheck_latest, healthcheck_hourly_rollup CASCADE;"
      "DELETE FROM hc_schema_migrations WHERE version >= 5;");
  query(
      "CREATE TABLE healthcheck (url_digest bytea NOT NULL, measurement_time timestamptz NOT"
      " NULL, response_time_microseconds bigint, uri text, status_code int, regex_present bool,"
      " regex_match bool, error text, error_detail text, dns_us bigint, connect_us bigint,"
      " tls_us bigint, ttfb_us bigint, body_bytes bigint, cert_expires_at timestamptz,"
      " healthy boolean, failed_conditions text[], body_truncated boolean, attempts smallint,"
      " PRIMARY KEY (url_digest, measurement_time));"
      "INSERT INTO healthcheck (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, healthy, failed_conditions)"
      " SELECT sha256((i % 50)::text::bytea), '2026-03-01'::timestamptz + i * interval '1 min',"
      " i, 'https://v4/' || (i % 50), 200, false, i % 3 <> 0, ARRAY['status']"
      " FROM generate_series(1, 20000) i");
  // The views as migration 4 made them (on the heap).
  pqxx::connection connection(uri());
  {
    pqxx::work txn(connection);
    txn.exec0(migration_sql(table_migrations().at(3), "healthcheck", measurement_columns(),
                            RouteKind::kMeasurements));
    txn.commit();
  }
  const HeapState before = heap_state("healthcheck");
  ASSERT_EQ(relkind("healthcheck"), "r");
  EXPECT_EQ(migrate_table(connection, "healthcheck", measurement_columns(), table_migrations(),
                          RouteKind::kMeasurements),
            (std::vector<int>{5, 6, 7, 8, 9, 10, 11}));

  EXPECT_EQ(relkind("healthcheck"), "p");
  // The old heap is the catch-all partition: same file, every row, nothing rewritten.
  EXPECT_EQ(heap_state("healthcheck_before").relfilenode, before.relfilenode);
  // The columns of version 4 (later versions add columns, NULL in these rows).
  EXPECT_EQ(query("SELECT count(*) || '/' || md5(string_agg(row(url_digest, measurement_time,"
                  " response_time_microseconds, uri, status_code, regex_present, regex_match,"
                  " error, error_detail, dns_us, connect_us, tls_us, ttfb_us, body_bytes,"
                  " cert_expires_at, healthy, failed_conditions, body_truncated, attempts)::text,"
                  " ',' ORDER BY url_digest, measurement_time)) FROM healthcheck"),
            before.rows_and_checksum);
  // 20000 minutes from 2026-03-01 end on 2026-03-14: the catch-all ends the day after.
  EXPECT_EQ(partitions(),
            "healthcheck_before: FOR VALUES FROM (MINVALUE) TO ('2026-03-15 00:00:00+00')");
  EXPECT_EQ(query("SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid ="
                  " 'healthcheck'::regclass"),
            "healthcheck_pkey");
  // The views read the parent, not the renamed heap.
  EXPECT_EQ(query("SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid"
                  " WHERE d.refobjid = 'healthcheck_before'::regclass"),
            "0");
  EXPECT_EQ(query("SELECT sum(checks) FROM healthcheck_hourly"), "20000");
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck_latest"), "50");
  expect_upsert_idempotent();
  EXPECT_EQ(heap_state("healthcheck_before").relfilenode, before.relfilenode);
}

TEST_F(PartitionConversionTest, ASeedTableConvertsKeepingEveryRowUnrewritten) {
  query(
      "CREATE TABLE healthcheck (url_digest bytea, measurement_time timestamptz,"
      " response_time_microseconds bigint, uri text, status_code int, regex_present bool,"
      " regex_match bool, PRIMARY KEY (url_digest, measurement_time));"
      "INSERT INTO healthcheck SELECT sha256(i::text::bytea), '2025-06-01'::timestamptz"
      " + i * interval '1 hour', i, 'https://seed/' || (i % 7), 200, i % 2 = 0, null"
      " FROM generate_series(1, 3000) i");
  const HeapState before = heap_state("healthcheck");
  migrate();
  EXPECT_EQ(relkind("healthcheck"), "p");
  EXPECT_EQ(heap_state("healthcheck_before").relfilenode, before.relfilenode);
  // The columns migrations 2 and 4 added are NULL in old rows: the seven seed columns agree.
  EXPECT_EQ(query("SELECT count(*) || '/' || md5(string_agg((url_digest, measurement_time,"
                  " response_time_microseconds, uri, status_code, regex_present, regex_match)"
                  "::text, ',' ORDER BY url_digest, measurement_time)) FROM healthcheck"),
            before.rows_and_checksum);
  EXPECT_EQ(migrated_columns("healthcheck"), listed_columns());
  expect_upsert_idempotent();
}

TEST_F(PartitionConversionTest, ANewTableIsPartitionedWithPartitionsAhead) {
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  EXPECT_EQ(relkind("healthcheck"), "p");
  // The empty catch-all ends today (UTC); today and kPartitionsAhead days after exist.
  EXPECT_EQ(query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'healthcheck'::regclass"),
            std::to_string(2 + kPartitionsAhead));
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck_before"), "0");
  // Migrating again changes nothing.
  const std::string layout = partitions();
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  EXPECT_EQ(partitions(), layout);
}

}  // namespace
}  // namespace hc::store
