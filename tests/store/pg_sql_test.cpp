#include "pg_sql.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

#include "hc/common/config.h"
#include "measurement_columns.h"
#include "pg_migrations.h"

namespace hc::store {
namespace {

TEST(QuoteIdentifier, WrapsInDoubleQuotes) {
  EXPECT_EQ(quote_identifier("healthcheck"), "\"healthcheck\"");
  EXPECT_EQ(quote_identifier("Mixed_Case1"), "\"Mixed_Case1\"");
}

TEST(QuoteIdentifier, DoublesEmbeddedQuotesSoANameStaysOneIdentifier) {
  EXPECT_EQ(quote_identifier("x\"; drop table y; --"), "\"x\"\"; drop table y; --\"");
}

TEST(SafeIdentifier, RejectsNamesThatAreSql) {
  EXPECT_TRUE(is_safe_identifier("healthcheck"));
  EXPECT_TRUE(is_safe_identifier("_t1"));
  EXPECT_FALSE(is_safe_identifier("x; drop table y"));
  EXPECT_FALSE(is_safe_identifier("1abc"));
  EXPECT_FALSE(is_safe_identifier("a-b"));
  EXPECT_FALSE(is_safe_identifier(""));
  EXPECT_FALSE(is_safe_identifier(std::string(64, 'a')));
}

// A small table of its own, so the derivations are checked apart from the measurement list.
constexpr std::array<ColumnSpec, 5> kTestColumns = {{
    {"id", "bigint", 1, true},
    {"at", "timestamptz", 1, true},
    {"value", "text", 1},
    {"flags", "text[]", 2},
    {"score", "smallint", 2},
}};

TEST(UpsertSql, InsertsFromStagingAndUpdatesEveryNonKeyColumnOnlyWhenItDiffers) {
  EXPECT_EQ(upsert_from_staging_sql(kTestColumns, "t", "hc_staging_0"),
            "INSERT INTO \"t\" AS target (id, at, value, flags, score) SELECT id, at, value, "
            "flags, score FROM \"hc_staging_0\" ON CONFLICT (id, at) DO UPDATE SET "
            "value = EXCLUDED.value, flags = EXCLUDED.flags, score = EXCLUDED.score "
            "WHERE (target.value, target.flags, target.score) IS DISTINCT FROM "
            "(EXCLUDED.value, EXCLUDED.flags, EXCLUDED.score)");
}

TEST(UpsertSql, CoversEveryMeasurementColumn) {
  const std::string sql = upsert_from_staging_sql(measurement_columns(), "healthcheck", "s");
  EXPECT_NE(sql.find("ON CONFLICT (url_digest, measurement_time) DO UPDATE"), std::string::npos);
  for (const auto& column : measurement_columns()) {
    const std::string name(column.name);
    if (column.primary_key) continue;
    EXPECT_NE(sql.find(fmt::format("{0} = EXCLUDED.{0}", name)), std::string::npos) << name;
    EXPECT_NE(sql.find(fmt::format("target.{}", name)), std::string::npos) << name;
  }
}

TEST(LatestSql, KeyedByTheSiteWithTheColumnsOfItsVersion) {
  EXPECT_EQ(latest_table_sql(kTestColumns, "\"t_latest\"", 1),
            "CREATE TABLE \"t_latest\" (id bigint NOT NULL, at timestamptz NOT NULL, value text,"
            " PRIMARY KEY (id)) WITH (fillfactor = 50)");
  EXPECT_EQ(latest_backfill_sql(kTestColumns, "\"t_latest\"", "\"t\"", 2),
            "INSERT INTO \"t_latest\" (id, at, value, flags, score) SELECT DISTINCT ON (id) id, at,"
            " value, flags, score FROM \"t\" ORDER BY id, at DESC");
}

// Newer wins, a same-time row only when it differs: replays of older or identical rows are
// no-ops (the row-level tests are in rollups_test).
TEST(LatestSql, UpsertReplacesOnlyWithANewerOrChangedMeasurement) {
  EXPECT_EQ(latest_upsert_sql(kTestColumns, "t_latest", "\"s\""),
            "INSERT INTO \"t_latest\" AS target (id, at, value, flags, score) SELECT id, at, value,"
            " flags, score FROM \"s\" ORDER BY id ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at,"
            " value = EXCLUDED.value, flags = EXCLUDED.flags, score = EXCLUDED.score"
            " WHERE EXCLUDED.at > target.at OR (EXCLUDED.at = target.at AND (target.at,"
            " target.value, target.flags, target.score) IS DISTINCT FROM (EXCLUDED.at,"
            " EXCLUDED.value, EXCLUDED.flags, EXCLUDED.score))");
}

// The rows a batch wrote, read back by their keys (the latest table's source): one primary
// key probe per key, the first key column given as hex text.
TEST(LatestSql, TheBatchsRowsAreReadBackByKeyOneProbeEach) {
  EXPECT_EQ(keyed_rows_sql(kTestColumns, "t", 3),
            "(SELECT found.* FROM unnest($3::text[], $4::timestamptz[]) AS wanted(key, at)"
            " CROSS JOIN LATERAL (SELECT * FROM \"t\" WHERE id = decode(wanted.key, 'hex')"
            " AND at = wanted.at OFFSET 0) AS found) AS keyed");
}

// A column added by a migration after the latest table exists is added to both tables.
TEST(Migrations, ColumnsOfLaterMigrationsReachTheLatestTable) {
  const auto& migrations = table_migrations();
  const auto latest = std::find_if(migrations.begin(), migrations.end(),
                                   [](const Migration& m) { return m.version == 6; });
  ASSERT_NE(latest, migrations.end());
  const std::string sql =
      migration_sql(*latest, "hc", measurement_columns(), RouteKind::kMeasurements);
  EXPECT_NE(sql.find("DROP VIEW IF EXISTS \"hc_latest\";CREATE TABLE \"hc_latest\" (url_digest "
                     "bytea NOT NULL, measurement_time timestamptz NOT NULL"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("PRIMARY KEY (url_digest)"), std::string::npos);
  EXPECT_NE(sql.find("CREATE VIEW \"hc_hourly\""), std::string::npos);
}

TEST(StagingSql, IsATempTableOfEveryColumnEmptiedAtCommit) {
  EXPECT_EQ(create_staging_table_sql(kTestColumns, "hc_staging_3"),
            "CREATE TEMP TABLE IF NOT EXISTS \"hc_staging_3\" (id bigint, at timestamptz, "
            "value text, flags text[], score smallint) ON COMMIT DELETE ROWS");
}

TEST(MigrationColumnsSql, VersionOneCreatesTheTableWithItsPrimaryKey) {
  EXPECT_EQ(migration_columns_sql(kTestColumns, "\"t\"", 1),
            "CREATE TABLE IF NOT EXISTS \"t\" (id bigint NOT NULL, at timestamptz NOT NULL, "
            "value text, PRIMARY KEY (id, at))");
}

TEST(MigrationColumnsSql, ALaterVersionAddsOnlyItsColumnsIfTheyAreMissing) {
  EXPECT_EQ(migration_columns_sql(kTestColumns, "\"t\"", 2),
            "ALTER TABLE \"t\" ADD COLUMN IF NOT EXISTS flags text[], "
            "ADD COLUMN IF NOT EXISTS score smallint");
  EXPECT_EQ(migration_columns_sql(kTestColumns, "\"t\"", 3), "");
}

// The measurement list obeys ColumnSpec's contract: keys first and in migration 1, names
// unique, every column's migration exists.
TEST(MeasurementColumns, KeysFirstNamesUniqueEveryMigrationKnown) {
  const auto columns = measurement_columns();
  ASSERT_GE(columns.size(), 2u);
  EXPECT_EQ(columns[0].name, "url_digest");
  EXPECT_EQ(columns[1].name, "measurement_time");
  std::set<std::string_view> names;
  std::set<int> versions;
  for (const auto& migration : table_migrations()) versions.insert(migration.version);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    EXPECT_EQ(columns[i].primary_key, i < 2) << columns[i].name;
    EXPECT_TRUE(names.insert(columns[i].name).second) << columns[i].name << " twice";
    EXPECT_EQ(versions.count(columns[i].migration), 1u) << columns[i].name;
    EXPECT_TRUE(is_safe_identifier(std::string(columns[i].name))) << columns[i].name;
  }
  for (std::size_t i = 1; i < columns.size(); ++i) {
    EXPECT_LE(columns[i - 1].migration, columns[i].migration)
        << columns[i].name << ": table order is migration order, as ADD COLUMN appends";
  }
}

// Released migrations never change meaning: their SQL, derived from the column list, is
// pinned here as released. A change to a released column entry or statement fails this test;
// a new column belongs to a new migration.
TEST(Migrations, ReleasedMigrationsKeepTheirSql) {
  const auto& migrations = table_migrations();
  ASSERT_GE(migrations.size(), 4u);
  EXPECT_EQ(migration_sql(migrations[0], "hc", measurement_columns(), RouteKind::kMeasurements),
            "CREATE TABLE IF NOT EXISTS \"hc\" (url_digest bytea NOT NULL, measurement_time "
            "timestamptz NOT NULL, response_time_microseconds bigint, uri text, status_code int, "
            "regex_present bool, regex_match bool, PRIMARY KEY (url_digest, measurement_time))");
  EXPECT_EQ(migration_sql(migrations[1], "hc", measurement_columns(), RouteKind::kMeasurements),
            "ALTER TABLE \"hc\" ADD COLUMN IF NOT EXISTS error text, ADD COLUMN IF NOT EXISTS "
            "error_detail text, ADD COLUMN IF NOT EXISTS dns_us bigint, ADD COLUMN IF NOT EXISTS "
            "connect_us bigint, ADD COLUMN IF NOT EXISTS tls_us bigint, ADD COLUMN IF NOT EXISTS "
            "ttfb_us bigint, ADD COLUMN IF NOT EXISTS body_bytes bigint, ADD COLUMN IF NOT EXISTS "
            "cert_expires_at timestamptz");
  EXPECT_EQ(migration_sql(migrations[2], "hc", measurement_columns(), RouteKind::kMeasurements),
            "CREATE OR REPLACE VIEW \"hc_latest\" AS SELECT DISTINCT ON (url_digest) * FROM "
            "\"hc\" ORDER BY url_digest, measurement_time DESC;CREATE OR REPLACE VIEW "
            "\"hc_hourly\" AS SELECT url_digest, min(uri) AS uri, date_trunc('hour', "
            "measurement_time) AS hour, count(*) AS checks, count(*) FILTER (WHERE error IS NULL) "
            "AS up_checks, round(100.0 * count(*) FILTER (WHERE error IS NULL) / count(*), 2) AS "
            "uptime_percent, percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            "response_time_microseconds)   AS p50_response_us, percentile_cont(0.95) WITHIN "
            "GROUP (ORDER BY response_time_microseconds)   AS p95_response_us, "
            "max(response_time_microseconds) AS max_response_us FROM \"hc\" GROUP BY "
            "url_digest, date_trunc('hour', measurement_time)");
  EXPECT_EQ(migration_sql(migrations[3], "hc", measurement_columns(), RouteKind::kMeasurements),
            "ALTER TABLE \"hc\" ADD COLUMN IF NOT EXISTS healthy boolean, ADD COLUMN IF NOT "
            "EXISTS failed_conditions text[], ADD COLUMN IF NOT EXISTS body_truncated boolean, "
            "ADD COLUMN IF NOT EXISTS attempts smallint;CREATE OR REPLACE FUNCTION "
            "hc_measurement_up(healthy boolean, error text) RETURNS boolean LANGUAGE sql "
            "IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, $2 IS NULL)';CREATE OR REPLACE VIEW "
            "\"hc_latest\" AS SELECT DISTINCT ON (url_digest) * FROM \"hc\" ORDER BY url_digest, "
            "measurement_time DESC;CREATE OR REPLACE VIEW \"hc_hourly\" AS SELECT url_digest, "
            "min(uri) AS uri, date_trunc('hour', measurement_time) AS hour, count(*) AS checks, "
            "count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up_checks, "
            "round(100.0 * count(*) FILTER (WHERE hc_measurement_up(healthy, error)) / count(*), "
            "2)   AS uptime_percent, percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            "response_time_microseconds)   AS p50_response_us, percentile_cont(0.95) WITHIN "
            "GROUP (ORDER BY response_time_microseconds)   AS p95_response_us, "
            "max(response_time_microseconds) AS max_response_us FROM \"hc\" GROUP BY "
            "url_digest, date_trunc('hour', measurement_time)");
}

}  // namespace
}  // namespace hc::store
