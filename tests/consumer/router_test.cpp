#include "router.h"

#include <gtest/gtest.h>

namespace hc::consumer {
namespace {

std::vector<std::string> table_names(const Router& router, std::size_t database) {
  std::vector<std::string> names;
  for (const auto& table : router.tables_in(database)) names.push_back(table.name);
  return names;
}

TEST(Router, SharesOneConnectionPerDatabaseAndFeedsEveryTableOfATopic) {
  Router router({{"checks", "postgresql://db1", "a", ""},
                 {"checks", "postgresql://db2", "b", "checks.bad"},
                 {"other", "postgresql://db1", "c", ""},
                 {"other", "postgresql://db1", "a", ""}});
  ASSERT_EQ(router.database_uris(),
            (std::vector<std::string>{"postgresql://db1", "postgresql://db2"}));
  EXPECT_EQ(table_names(router, 0), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(table_names(router, 1), (std::vector<std::string>{"b"}));
  EXPECT_EQ(router.source_topics(), (std::vector<std::string>{"checks", "other"}));
  ASSERT_EQ(router.sinks().size(), 3u);  // db1.a, db2.b, db1.c
  EXPECT_EQ(router.sinks_for("checks"), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(router.sinks_for("other"), (std::vector<std::size_t>{2, 0}));  // a is shared
  EXPECT_TRUE(router.sinks_for("unknown").empty());
}

TEST(Router, SendsPoisonToTheConfiguredOrDefaultDeadLetterTopic) {
  Router router({{"checks", "postgresql://db1", "a", ""},
                 {"special", "postgresql://db1", "a", "special-poison"}});
  EXPECT_EQ(router.dead_letter_topic("checks"), "checks.dlq");
  EXPECT_EQ(router.dead_letter_topic("special"), "special-poison");
}

TEST(Router, WritesATableListedTwiceForOneTopicOnce) {
  Router router({{"checks", "postgresql://db1", "a", ""}, {"checks", "postgresql://db1", "a", ""}});
  EXPECT_EQ(router.sinks_for("checks").size(), 1u);
}

TEST(Router, GivesEachTableItsSettingsOnceWithTheLargestRollupRetention) {
  TopicSinkConfig checks{"checks", "postgresql://db1", "a", ""};
  checks.partition_interval = PartitionInterval::kWeek;
  checks.retention_days = 30;
  checks.rollup_retention_days = 100;
  TopicSinkConfig other = checks;
  other.source_topic = "other";
  other.rollup_retention_days = 200;
  TopicSinkConfig events{"changes", "postgresql://db1", "ev", ""};
  events.kind = RouteKind::kEvents;
  Router router({checks, other, events});

  ASSERT_EQ(router.tables_in(0).size(), 2u);
  const TableSpec& a = router.tables_in(0)[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.kind, RouteKind::kMeasurements);
  EXPECT_EQ(a.partition_interval, PartitionInterval::kWeek);
  EXPECT_EQ(a.retention_days, 30);
  EXPECT_EQ(a.rollup_retention_days, 200);
  EXPECT_EQ(router.tables_in(0)[1].kind, RouteKind::kEvents);
  EXPECT_EQ(&router.table(router.sinks().at(router.sinks_for("changes").at(0))),
            &router.tables_in(0)[1]);
  EXPECT_EQ(table_names(router, 0), (std::vector<std::string>{"a", "ev"}));
  EXPECT_EQ(router.tables_in(0)[0].kind, RouteKind::kMeasurements);
}

}  // namespace
}  // namespace hc::consumer
