// `hc topics create` against hc-devbroker, whose mock cluster does not serve CreateTopics:
// the command must say so and fail within its timeout, not hang.
#include <gtest/gtest.h>

#include <fstream>

#include "hc/test/support.h"

namespace hc {
namespace {

TEST(TopicsCreate, AgainstTheDevBrokerFailsClearlyWithinItsTimeout) {
  test::DevBroker broker;
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << "healthcheck-producer-config:\n"
                             << "  bootstrap_servers: [ \"" << broker.bootstrap_servers()
                             << "\" ]\n"
                             << R"(  defaults: { destination_topic: checks }
  websites:
    - url: http://127.0.0.1:9/
)";
  auto result =
      test::run_command({test::hc_binary().string(), "topics", "create", "-c", config_file.string(),
                         "--partitions", "2", "--replication-factor", "1", "--timeout-ms", "1500"},
                        std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("FAILED  checks"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("hc-devbroker"), std::string::npos) << result.output;
}

TEST(TopicsCreate, RejectsAnInvalidConfigWithExitTwo) {
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << "healthcheck-producer-config:\n  websites: 3\n";
  auto result = test::run_command(
      {test::hc_binary().string(), "topics", "create", "-c", config_file.string()},
      std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("config.yaml:2:"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hc
