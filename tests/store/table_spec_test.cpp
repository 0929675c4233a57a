#include "hc/store/table_spec.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace hc {
namespace {

std::vector<std::string> names_of(const DatabaseTables& database) {
  std::vector<std::string> names;
  for (const auto& table : database.tables) names.push_back(table.name);
  return names;
}

TEST(DatabaseTables, GroupsEachDistinctTableUnderItsDatabaseInConfigOrder) {
  const auto databases = database_tables({{"checks", "postgresql://db1", "a", ""},
                                          {"checks", "postgresql://db2", "b", ""},
                                          {"other", "postgresql://db1", "c", ""},
                                          {"other", "postgresql://db1", "a", ""}});
  ASSERT_EQ(databases.size(), 2u);
  EXPECT_EQ(databases[0].connection_uri, "postgresql://db1");
  EXPECT_EQ(names_of(databases[0]), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(databases[1].connection_uri, "postgresql://db2");
  EXPECT_EQ(names_of(databases[1]), (std::vector<std::string>{"b"}));
}

TEST(DatabaseTables, ATableKeepsTheLongestRollupRetentionOfItsRoutesAndZeroIsForever) {
  TopicSinkConfig short_retention{"checks", "postgresql://db1", "a", ""};
  short_retention.rollup_retention_days = 100;
  TopicSinkConfig long_retention = short_retention;
  long_retention.source_topic = "other";
  long_retention.rollup_retention_days = 200;
  EXPECT_EQ(database_tables({short_retention, long_retention})[0].tables[0].rollup_retention_days,
            200);
  TopicSinkConfig forever = short_retention;
  forever.source_topic = "third";
  forever.rollup_retention_days = 0;
  EXPECT_EQ(database_tables({long_retention, forever, short_retention})[0]
                .tables[0]
                .rollup_retention_days,
            0);
}

TEST(DatabaseTables, RefusesATableFedAsTwoKinds) {
  TopicSinkConfig measurements{"checks", "postgresql://db1", "a", ""};
  TopicSinkConfig events{"changes", "postgresql://db1", "a", ""};
  events.kind = RouteKind::kEvents;
  EXPECT_THROW(database_tables({measurements, events}), std::invalid_argument);
}

}  // namespace
}  // namespace hc
