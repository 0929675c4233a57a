// `hc status` against a database that was never migrated: one line that names the missing
// relation and the table and says to run `hc migrate -c FILE`, exit 1; no raw SQL error.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

TEST(StatusCommand, BeforeMigrateSaysToRunMigrateInOneLine) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: checks\n";
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

}  // namespace
}  // namespace hc
