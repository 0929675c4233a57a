// The events table derived from its one column list: the column contract, the pinned SQL of
// its migrations and the COPY line of an event.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "event_columns.h"
#include "hc/common/config.h"
#include "hc/common/url_digest.h"
#include "measurement_columns.h"
#include "pg_migrations.h"
#include "pg_sql.h"
#include "table_schema.h"

namespace hc::store {
namespace {

constexpr std::string_view kUrl = "https://example.com/";

StateEvent down_event() {
  StateEvent event;
  event.url = std::string(kUrl);
  event.from = SiteStatus::kUp;
  event.to = SiteStatus::kDown;
  event.at = WallTime(std::chrono::microseconds(1'795'000'000'123'456));
  event.since = WallTime(std::chrono::microseconds(1'794'999'000'000'000));
  event.previous_duration_s = 1000;
  event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500\tx", 500};
  event.producer = "host:42";
  return event;
}

TEST(EventColumns, KeysFirstNamesUniquePlainIdentifiersEveryMigrationKnown) {
  const auto columns = event_columns();
  ASSERT_GE(columns.size(), 2u);
  EXPECT_EQ(columns[0].name, "url_digest");
  EXPECT_EQ(columns[1].name, "at");
  std::set<int> versions;
  for (const auto& migration : event_table_migrations()) versions.insert(migration.version);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    EXPECT_EQ(columns[i].primary_key, i < 2) << columns[i].name;
    EXPECT_TRUE(names.insert(columns[i].name).second) << columns[i].name << " twice";
    EXPECT_EQ(versions.count(columns[i].migration), 1u) << columns[i].name;
    EXPECT_TRUE(is_safe_identifier(std::string(columns[i].name))) << columns[i].name;
    // Column names are written unquoted: no SQL reserved word.
    EXPECT_NE(columns[i].name, "from");
    EXPECT_NE(columns[i].name, "to");
  }
}

TEST(EventMigrations, ReleasedMigrationsKeepTheirSql) {
  const auto& migrations = event_table_migrations();
  ASSERT_GE(migrations.size(), 1u);
  EXPECT_EQ(migration_sql(migrations[0], "ev", event_columns(), RouteKind::kEvents),
            "CREATE TABLE IF NOT EXISTS \"ev\" (url_digest bytea NOT NULL, at timestamptz NOT "
            "NULL, url text, from_state text, to_state text, since timestamptz, "
            "previous_duration_s bigint, failed_conditions text[], error text, error_detail "
            "text, status_code int, producer text, PRIMARY KEY (url_digest, at));"
            "CREATE OR REPLACE VIEW \"ev_open\" AS SELECT url_digest, url, at AS down_since, "
            "date_trunc('second', now() - at) AS down_for, from_state, failed_conditions, "
            "error, error_detail, status_code FROM (SELECT DISTINCT ON (url_digest) * FROM "
            "\"ev\"       ORDER BY url_digest, at DESC) AS newest WHERE to_state = 'down'");
}

TEST(EventMigrations, TheUpsertOfAnEventsTableConflictsOnUrlDigestAndAt) {
  const std::string sql = upsert_from_staging_sql(event_columns(), "ev", "hc_staging_0");
  EXPECT_NE(sql.find("ON CONFLICT (url_digest, at) DO UPDATE SET url = EXCLUDED.url"),
            std::string::npos)
      << sql;
  EXPECT_EQ(sql.find("at = EXCLUDED.at"), std::string::npos) << "keys are not updated: " << sql;
}

TEST(EventCopyRow, WritesEveryColumnInOrderWithTheCauseSplitOut) {
  EventRow row{url_digest(std::string(kUrl)), down_event()};
  std::string line;
  append_event_copy_row(line, row);
  EXPECT_EQ(line, "\\\\x" + row.url_digest +
                      "\t2026-11-18T11:06:40.123456Z\thttps://example.com/\tup\tdown"
                      "\t2026-11-18T10:50:00.000000Z\t1000\t{\"status\"}\tunexpected_status"
                      "\tHTTP 500\\tx\t500\thost:42\n");
}

TEST(EventCopyRow, AnEventWithoutCauseOrSinceWritesNulls) {
  EventRow row{url_digest(std::string(kUrl)), down_event()};
  row.event.from = SiteStatus::kUnknown;
  row.event.to = SiteStatus::kUp;
  row.event.since.reset();
  row.event.previous_duration_s.reset();
  row.event.cause.reset();
  row.event.producer.clear();
  std::string line;
  append_event_copy_row(line, row);
  EXPECT_EQ(line, "\\\\x" + row.url_digest +
                      "\t2026-11-18T11:06:40.123456Z\thttps://example.com/\tunknown\tup"
                      "\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
}

TEST(EventCopyRow, HasExactlyOneFieldPerColumnAndTheSchemaSampleFits) {
  const Row sample =
      table_schema(RouteKind::kEvents).sample_row(WallTime(std::chrono::seconds(1'795'000'000)));
  ASSERT_TRUE(table_schema(RouteKind::kEvents).holds(sample));
  EXPECT_FALSE(table_schema(RouteKind::kMeasurements).holds(sample));
  std::string line;
  table_schema(RouteKind::kEvents).append_copy_row(line, sample);
  std::size_t tabs = 0;
  for (char c : line) tabs += c == '\t' ? 1 : 0;
  EXPECT_EQ(tabs + 1, event_columns().size());
}

}  // namespace
}  // namespace hc::store
