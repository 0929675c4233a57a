// `hc maintain` through the built binary against a throwaway PostgreSQL: it prints what it
// created, a second run does nothing and says so, and a missing database is exit 1 with one
// line naming it (no password).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

constexpr const char* kRoute =
    "      partition_interval: week\n"
    "      retention_days: 90\n";

TEST(MaintainCommand, CreatesWhatIsMissingClosesEndedHoursPrintsItAndASecondRunDoesNothing) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri(), kRoute);
  ASSERT_EQ(test::run_hc({"migrate", "-c", config.string()}).exit_code, 0);
  // The last week made ahead at migration, dropped by hand: maintain makes it again.
  const std::string last = postgres.query(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
      " WHERE i.inhparent = 'checks'::regclass ORDER BY c.relname DESC LIMIT 1");
  ASSERT_EQ(last.rfind("checks_p", 0), 0u) << last;
  postgres.query("DROP TABLE " + last);
  // A row of an ended hour, marked as a writer marks it: maintain closes that hour's rollup.
  postgres.query(
      "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present) VALUES (sha256('a'), date_trunc('hour', now())"
      " - interval '90 minutes', 1000, 'https://a/', 200, false);"
      "INSERT INTO hc_rollup_pending SELECT 'checks', date_trunc('hour', measurement_time, 'UTC')"
      " FROM checks");

  auto first = test::run_hc({"maintain", "-c", config.string()});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("table checks: created partition " + last + " for ["),
            std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("table checks: hourly rollups closed up to "), std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find(": 1 partitions created, 0 dropped, 1 rollup hours closed\n"),
            std::string::npos)
      << first.output;
  EXPECT_EQ(postgres.query("SELECT checks FROM checks_hourly_rollup"), "1");
  EXPECT_EQ(postgres.query("SELECT count(*) FROM pg_class WHERE relname = '" + last + "'"), "1");

  auto second = test::run_hc({"maintain", "-c", config.string()});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output.find("created partition"), std::string::npos) << second.output;
  EXPECT_EQ(second.output.find("hourly rollups closed"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find(": 0 partitions created, 0 dropped, 0 rollup hours closed\n"),
            std::string::npos)
      << second.output;
}

TEST(MaintainCommand, AnUnreachableDatabaseIsExitOneNamingItWithoutThePassword) {
  test::TempDir dir;
  const auto config = test::write_checks_config(
      dir, "postgresql://hc:s3cret-pass@127.0.0.1:" + std::to_string(test::unused_loopback_port()) +
               "/nowhere");
  auto result = test::run_hc({"maintain", "-c", config.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("maintenance failed"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("s3cret-pass"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hc
