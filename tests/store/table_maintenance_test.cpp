// Table upkeep against a real throwaway PostgreSQL 15: partitions ahead, expired partitions
// dropped whole (one straddling the retention boundary kept), a second run does nothing, and
// maintainers and writers racing each other create every partition once and lose no row.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "hc/common/url_digest.h"
#include "hc/store/maintenance.h"
#include "hc/store/table_writer.h"
#include "hc/test/postgres_test.h"
#include "hc/test/support.h"
#include "partition_layout.h"

namespace hc::store {
namespace {

using std::chrono::days;
using std::chrono::hours;

class TableMaintenanceTest : public test::PostgresTest<TableMaintenanceTest> {
 protected:
  ConsumerConfig config(int retention_days) const {
    ConsumerConfig config;
    TopicSinkConfig route;
    route.source_topic = "checks";
    route.connection_uri = uri();
    route.table_name = "healthcheck";
    route.retention_days = retention_days;
    config.topics.push_back(route);
    return config;
  }
  // The partitions of healthcheck by name, comma-separated.
  std::string partitions() const {
    return query(
        "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'healthcheck'::regclass");
  }
  static WallTime today() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::floor<days>(std::chrono::system_clock::now()));
  }
  static std::string day_name(WallTime day) {
    return partition_name("healthcheck", {day, day + days(1)});
  }
};

// 33.5 days on, with retention 30: the partitions that ended 30 days before are dropped whole,
// the one holding the boundary stays, the next days ahead are created; a second run finds
// nothing to do.
TEST_F(TableMaintenanceTest, DropsWhollyExpiredPartitionsKeepsTheStraddlingOneCreatesAhead) {
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  const WallTime t0 = today();
  ASSERT_EQ(partitions(),
            fmt::format("healthcheck_before,{},{},{},{}", day_name(t0), day_name(t0 + days(1)),
                        day_name(t0 + days(2)), day_name(t0 + days(3))));
  query(
      "INSERT INTO healthcheck (url_digest, measurement_time)"
      " SELECT sha256(i::text::bytea), now() - i * interval '1 hour'"
      " FROM generate_series(1, 100) i");
  const WallTime later = t0 + days(33) + hours(12);  // retention horizon: t0 + 3.5 days

  auto runs = maintain_tables(config(30), later, true);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].ran);
  EXPECT_EQ(runs[0].error, "");
  EXPECT_EQ(runs[0].partitions_dropped, 4u);  // the catch-all, t0, t0+1, t0+2
  EXPECT_EQ(runs[0].partitions_created, 1u + kPartitionsAhead);
  EXPECT_EQ(partitions(),
            fmt::format("{},{},{},{},{}", day_name(t0 + days(3)), day_name(t0 + days(33)),
                        day_name(t0 + days(34)), day_name(t0 + days(35)), day_name(t0 + days(36))));
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), "0");  // dropped with their partitions
  std::string printed;
  for (const auto& action : runs[0].actions) printed += action + "\n";
  EXPECT_NE(printed.find("dropped partition healthcheck_before for [MINVALUE, "), std::string::npos)
      << printed;

  auto again = maintain_tables(config(30), later, true);
  EXPECT_TRUE(again[0].ran);
  EXPECT_TRUE(again[0].actions.empty());
  EXPECT_EQ(again[0].partitions_created + again[0].partitions_dropped, 0u);
}

TEST_F(TableMaintenanceTest, WithoutRetentionNothingIsDropped) {
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  const std::string before = partitions();
  auto runs = maintain_tables(config(0), today() + days(400), true);
  EXPECT_EQ(runs[0].partitions_dropped, 0u);
  EXPECT_EQ(partitions().find(before.substr(0, before.find(','))), 0u);
}

// Two consumers' maintenance (try-lock: one runs, one skips, or they take turns) and two
// writers needing partitions for the same next days, all at once: every row is written, each
// day has its one partition, nobody fails.
TEST_F(TableMaintenanceTest, RacingMaintainersAndWritersCreateEachPartitionOnce) {
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  const WallTime t0 = today();
  auto maintain = [&] {
    std::size_t created = 0;
    for (int i = 0; i < 10; ++i) {
      for (const auto& run : maintain_tables(config(0), t0 + days(i), false)) {
        EXPECT_EQ(run.error, "");
        created += run.partitions_created;
      }
    }
    return created;
  };
  auto write = [&](int writer) {
    TableWriter sink(uri(), {{"healthcheck"}});
    for (int day = 0; day < 14; ++day) {
      TableRows rows;
      for (int i = 0; i < 50; ++i) {
        Measurement m;
        m.url = fmt::format("https://w{}-{}.test/", writer, i);
        m.url_digest = url_digest(m.url);
        m.measured_at = t0 + days(day) + hours(6);
        m.response_time_us = 1;
        rows.add(std::move(m));
      }
      sink.write({&rows});
    }
  };
  auto m1 = std::async(std::launch::async, maintain);
  auto m2 = std::async(std::launch::async, maintain);
  auto w1 = std::async(std::launch::async, write, 1);
  auto w2 = std::async(std::launch::async, write, 2);
  w1.get();
  w2.get();
  m1.get();
  m2.get();
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), std::to_string(2 * 14 * 50));
  // Days t0 .. t0+12 (maintenance reaches t0+9+3), the writers' t0+13: one partition each.
  EXPECT_EQ(query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'healthcheck'::regclass"),
            "15");
}

}  // namespace
}  // namespace hc::store
