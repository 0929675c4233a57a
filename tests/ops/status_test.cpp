// `hc status` through the built binary against a throwaway PostgreSQL: one line when the
// database was never migrated (or predates a migration); up by the verdict when a row has
// one, else by the older rule; the failed conditions of a site that is down.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

TEST(StatusCommand, BeforeMigrateSaysToRunMigrateInOneLine) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  auto result = test::run_command({test::hc_binary().string(), "status", "-c", config.string()},
                                  std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  ASSERT_FALSE(result.output.empty());
  EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << "expected one line:\n"
                                                                << result.output;
  EXPECT_NE(result.output.find("checks_latest does not exist"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("table checks is not migrated"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("run `hc migrate -c " + config.string() + "` first"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find('^'), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("SELECT"), std::string::npos) << result.output;
}

// Four checks per site in the last minutes. a: an old producer's rows (no verdict), one a
// timeout. b: a new producer's, the newest a 200 that failed two conditions. c: healthy.
TEST(StatusCommand, CountsUpByTheVerdictAndShowsTheFailedConditions) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(test::run_hc({"migrate", "-c", config.string()}).exit_code, 0);
  postgres.query(
      "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, error, healthy, failed_conditions) VALUES"
      " ('\\xaa', now() - interval '4 min', 1000, 'https://a/', 200, false, null, null, null),"
      " ('\\xaa', now() - interval '3 min', 1000, 'https://a/', null, false, 'timeout', null,"
      "  null),"
      " ('\\xaa', now() - interval '2 min', 1000, 'https://a/', 200, false, null, null, null),"
      " ('\\xaa', now() - interval '1 min', 1000, 'https://a/', 200, false, null, null, null),"
      " ('\\xbb', now() - interval '4 min', 1000, 'https://b/', 200, false, null, true, '{}'),"
      " ('\\xbb', now() - interval '3 min', 1000, 'https://b/', 200, false, null, true, '{}'),"
      " ('\\xbb', now() - interval '2 min', 1000, 'https://b/', 503, false, 'unexpected_status',"
      "  false, '{status}'),"
      " ('\\xbb', now() - interval '1 min', 1000, 'https://b/', 200, true, null, false,"
      "  '{response_time,header:Content-Type}'),"
      " ('\\xcc', now() - interval '1 min', 1000, 'https://c/', 200, false, null, true, '{}')");
  postgres.query(test::record_like_the_consumer_sql("checks"));

  auto json = test::run_hc({"status", "-c", config.string(), "--since", "1h", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const auto sites = nlohmann::json::parse(json.output);
  ASSERT_EQ(sites.size(), 3u) << json.output;
  EXPECT_EQ(sites[0]["url"], "https://a/");
  EXPECT_EQ(sites[0]["uptime_percent"], 75.0);
  EXPECT_EQ(sites[0]["last_failed_conditions"], nlohmann::json::array());
  EXPECT_EQ(sites[1]["url"], "https://b/");
  EXPECT_EQ(sites[1]["uptime_percent"], 50.0);  // error NULL but healthy false: down
  EXPECT_EQ(sites[1]["last_failed_conditions"],
            nlohmann::json({"response_time", "header:Content-Type"}));
  EXPECT_EQ(sites[2]["uptime_percent"], 100.0);

  auto table = test::run_hc({"status", "-c", config.string(), "--since", "1h"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("conditions: response_time,header:Content-Type"), std::string::npos)
      << table.output;
}

// A database migrated by an earlier release (latest and hourly as views over the raw rows, no
// verdict columns): one line that says to migrate, not a raw SQL error about a missing
// relation, column or function.
TEST(StatusCommand, ATableOfAnEarlierReleaseSaysToRunMigrate) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(test::run_hc({"migrate", "-c", config.string()}).exit_code, 0);
  postgres.query(
      "DROP VIEW checks_hourly; DROP FUNCTION checks_hourly_from_raw(timestamptz, timestamptz);"
      " DROP TABLE checks_latest, checks_hourly_rollup, hc_rollup_state, hc_rollup_pending;"
      " DROP FUNCTION hc_measurement_up(boolean, text);"
      " ALTER TABLE checks DROP COLUMN healthy, DROP COLUMN failed_conditions;"
      " CREATE VIEW checks_latest AS SELECT DISTINCT ON (url_digest) * FROM checks"
      " ORDER BY url_digest, measurement_time DESC");
  auto result = test::run_hc({"status", "-c", config.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
  EXPECT_NE(result.output.find("table checks is not migrated"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("does not exist"), std::string::npos) << result.output;
}

// Closed hours are read from the rollup: once `hc maintain` closed them, deleting their raw rows
// changes nothing in `hc status`; the open hour still comes from raw rows.
TEST(StatusCommand, ClosedHoursComeFromTheRollupNotTheRawRows) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(test::run_hc({"migrate", "-c", config.string()}).exit_code, 0);
  postgres.query(
      "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, error, healthy)"
      " SELECT sha256(s::text::bytea), date_bin('1 hour', now(), timestamptz '2000-01-01 00:00+00')"
      " - interval '3 hours' + i * interval '7 min', 1000 * (i + 1), 'https://site-' || s || '/',"
      " 200, false, CASE WHEN i % 5 = 0 THEN 'timeout' END, i % 5 <> 0"
      " FROM generate_series(1, 3) s, generate_series(0, 24) i");
  postgres.query(test::record_like_the_consumer_sql("checks"));
  ASSERT_EQ(test::run_hc({"maintain", "-c", config.string()}).exit_code, 0);  // closes ended hours
  ASSERT_EQ(postgres.query("SELECT count(*) > 0 FROM checks_hourly_rollup"), "t");
  auto before =
      test::run_hc({"status", "-c", config.string(), "--since", "4h", "--format", "json"});
  ASSERT_EQ(before.exit_code, 0) << before.output;
  const auto sites = nlohmann::json::parse(before.output);
  ASSERT_EQ(sites.size(), 3u) << before.output;
  EXPECT_EQ(sites[0]["checks"], 25) << before.output;
  EXPECT_EQ(sites[0]["uptime_percent"], 80.0) << before.output;

  postgres.query(
      "DELETE FROM checks WHERE measurement_time < (SELECT closed_until FROM hc_rollup_state)");
  auto after = test::run_hc({"status", "-c", config.string(), "--since", "4h", "--format", "json"});
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
}

}  // namespace
}  // namespace hc
