// `hc topics create` against hc-devbroker, whose mock cluster does not serve CreateTopics:
// the command must say so and fail within its timeout, not hang.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "hc/test/support.h"

namespace hc {
namespace {

// A producer section with one site whose results go to topic `checks` on `broker`.
std::string producer_section(const test::DevBroker& broker) {
  return "healthcheck-producer-config:\n"
         "  bootstrap_servers: [ \"" +
         broker.bootstrap_servers() +
         "\" ]\n"
         "  defaults: { destination_topic: checks }\n"
         "  websites:\n"
         "    - url: http://127.0.0.1:9/\n";
}

// Writes `config` to a file in `dir` and runs `hc topics create -c FILE ARGS...`.
test::CommandResult topics_create(const test::TempDir& dir, const std::string& config,
                                  const std::vector<std::string>& args,
                                  std::chrono::seconds timeout) {
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << config;
  std::vector<std::string> command{test::hc_binary().string(), "topics", "create", "-c",
                                   config_file.string()};
  command.insert(command.end(), args.begin(), args.end());
  return test::run_command(command, timeout);
}

TEST(TopicsCreate, AgainstTheDevBrokerFailsClearlyWithinItsTimeout) {
  test::DevBroker broker;
  test::TempDir dir;
  auto result =
      topics_create(dir, producer_section(broker),
                    {"--partitions", "2", "--replication-factor", "1", "--timeout-ms", "1500"},
                    std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("FAILED  checks"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("FAILED  checks.events"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("hc-devbroker"), std::string::npos) << result.output;
}

// Both sections (as in the repository's config.yaml) name the broker: the command still
// answers within --timeout-ms, not once per section. A bound, not a speed test: the margin
// covers starting and stopping the process and the clients.
TEST(TopicsCreate, BothSectionsTogetherStayWithinTheTimeout) {
  test::DevBroker broker;
  test::TempDir dir;
  const std::string config = producer_section(broker) +
                             "healthcheck-consumer-config:\n"
                             "  bootstrap_servers: [ \"" +
                             broker.bootstrap_servers() +
                             "\" ]\n"
                             "  topics:\n"
                             "    - source_topic: checks\n"
                             "      connection_uri: postgresql://postgres@127.0.0.1:9/postgres\n"
                             "      table_name: checks\n";
  constexpr auto kTimeout = std::chrono::milliseconds(3000);
  constexpr auto kMargin = std::chrono::milliseconds(2500);
  const auto started = std::chrono::steady_clock::now();
  auto result = topics_create(dir, config, {"--timeout-ms", std::to_string(kTimeout.count())},
                              std::chrono::seconds(30));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("FAILED  checks (healthcheck-producer-config)"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("FAILED  checks.dlq (healthcheck-consumer-config)"),
            std::string::npos)
      << result.output;
  EXPECT_LT(elapsed, kTimeout + kMargin)
      << "took " << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
      << " ms with --timeout-ms " << kTimeout.count();
}

TEST(TopicsCreate, RejectsAnInvalidConfigWithExitTwo) {
  test::TempDir dir;
  auto result = topics_create(dir, "healthcheck-producer-config:\n  websites: 3\n", {},
                              std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("config.yaml:2:"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace hc
