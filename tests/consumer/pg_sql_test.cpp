#include "pg_sql.h"

#include <gtest/gtest.h>

#include "hc/common/config.h"

namespace hc::consumer {
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

TEST(UpsertSql, InsertsFromStagingAndUpdatesEveryNonKeyColumnOnConflict) {
  std::string sql = upsert_from_staging_sql("healthcheck", "hc_staging_0");
  EXPECT_NE(sql.find("INSERT INTO \"healthcheck\" AS target (url_digest, measurement_time, "),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("FROM \"hc_staging_0\""), std::string::npos) << sql;
  EXPECT_NE(sql.find("ON CONFLICT (url_digest, measurement_time) DO UPDATE SET "
                     "response_time_microseconds = EXCLUDED.response_time_microseconds"),
            std::string::npos)
      << sql;
  for (const auto& column : row_columns()) {
    if (column == "url_digest" || column == "measurement_time") continue;
    EXPECT_NE(sql.find(column + " = EXCLUDED." + column), std::string::npos) << column;
  }
}

TEST(StagingSql, IsATempTableEmptiedAtCommit) {
  std::string sql = create_staging_table_sql("hc_staging_3");
  EXPECT_EQ(sql.rfind("CREATE TEMP TABLE IF NOT EXISTS \"hc_staging_3\" (url_digest bytea, ", 0),
            0u)
      << sql;
  EXPECT_NE(sql.find("ON COMMIT DELETE ROWS"), std::string::npos);
}

}  // namespace
}  // namespace hc::consumer
