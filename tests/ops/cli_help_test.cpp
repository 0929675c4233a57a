// `hc --producer --help` and `hc --consumer --help` describe the role and its options; the
// general `hc --help` lists the subcommands.
#include <gtest/gtest.h>

#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

test::CommandResult help_of(const std::vector<std::string>& args) {
  std::vector<std::string> argv{test::hc_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_command(argv, std::chrono::seconds(20));
}

TEST(CliHelp, ProducerHelpDescribesTheProducerAndItsOptions) {
  for (const auto& args : {std::vector<std::string>{"--producer", "--help"},
                           std::vector<std::string>{"--help", "--producer"},
                           std::vector<std::string>{"--producer", "-c", "x.yaml", "-h"}}) {
    auto result = help_of(args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output.rfind("hc --producer: checks every site", 0), 0u) << result.output;
    for (const char* expected : {"--shard I/N", "--metrics-addr", "--log-format", "-c,--config",
                                 "SIGHUP reloads the site list"}) {
      EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n"
                                                                 << result.output;
    }
    EXPECT_EQ(result.output.find("check-config"), std::string::npos) << result.output;
  }
}

TEST(CliHelp, ConsumerHelpDescribesTheConsumerWithoutProducerOptions) {
  auto result = help_of({"--consumer", "--help"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind("hc --consumer: a member of", 0), 0u) << result.output;
  EXPECT_NE(result.output.find("dead-letter topic"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("--shard"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("SIGHUP"), std::string::npos) << result.output;
}

TEST(CliHelp, GeneralHelpStillListsTheSubcommands) {
  auto result = help_of({"--help"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const char* expected :
       {"check-config", "migrate", "maintain", "topics", "status", "serve", "--producer"}) {
    EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
  }
  auto subcommand = help_of({"status", "--help"});
  EXPECT_EQ(subcommand.exit_code, 0) << subcommand.output;
  EXPECT_NE(subcommand.output.find("--since"), std::string::npos) << subcommand.output;
  auto maintain = help_of({"maintain", "--help"});
  EXPECT_EQ(maintain.exit_code, 0) << maintain.output;
  for (const char* expected : {"partitions ahead", "retention_days", "-c,--config"}) {
    EXPECT_NE(maintain.output.find(expected), std::string::npos) << expected << "\n"
                                                                 << maintain.output;
  }
}

TEST(CliHelp, ServeHelpNamesItsEndpointsAndTheLoopbackDefault) {
  auto result = help_of({"serve", "--help"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const char* expected :
       {"/api/v1/status", "/api/v1/sites/{url}/history", "/api/v1/silences", "/api/v1/fleet",
        "Bearer", "api_token", "--listen", "127.0.0.1:8080", "--allow-remote", "loopback"}) {
    EXPECT_NE(result.output.find(expected), std::string::npos) << expected << "\n" << result.output;
  }
}

}  // namespace
}  // namespace hc
