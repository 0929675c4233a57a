// `hc check-config -c FILE`, run as a user would: every error on stderr with its
// file:line:col, a count line, exit 2; a valid file gives one OK line on stdout, exit 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hc/test/support.h"

namespace hc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct CheckConfigRun {
  int exit_code = -1;
  std::vector<std::string> stdout_lines;
  std::vector<std::string> stderr_lines;
};

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream stream(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Runs the built hc with a clean view of the variables config.yaml reads, so the
// developer's own environment cannot change the outcome.
CheckConfigRun check_config(const std::filesystem::path& config, const test::TempDir& dir) {
  test::ChildProcess::Options options;
  options.stdout_file = dir.path() / "stdout.txt";
  options.stderr_file = dir.path() / "stderr.txt";
  options.extra_env = {
      {"KAFKA_BOOTSTRAP_SERVER", ""}, {"HC_DEMO_BASE_URL", ""}, {"POSTGRES_CONNECTION_URI", ""}};
  test::ChildProcess hc({test::hc_binary().string(), "check-config", "-c", config.string()},
                        options);
  CheckConfigRun run;
  run.exit_code = hc.wait_for_exit(std::chrono::seconds(30)).value_or(-1);
  run.stdout_lines = lines_of(options.stdout_file);
  run.stderr_lines = lines_of(options.stderr_file);
  return run;
}

TEST(CheckConfigCommand, BadFilePrintsEveryErrorWithPositionAndExitsTwo) {
  test::TempDir dir;
  auto config = dir.path() / "bad.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                           "  bootstrap_servers: 127.0.0.1:9092\n"
                           "  security_protocol: SASL_SSL\n"
                           "  sasl_username: hc\n"
                           "  sasl_password: hunter2\n"
                           "  defaults:\n"
                           "    destination_topic: healthcheck\n"
                           "    polling_intervall_in_seconds: 5\n"
                           "  websites:\n"
                           "    - url: ftp://127.0.0.1/\n"
                           "      regex: \"(unclosed\"\n";
  CheckConfigRun run = check_config(config, dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(run.stdout_lines.empty());
  std::string file = config.string();
  EXPECT_THAT(
      run.stderr_lines,
      ElementsAre(StartsWith(file + ":8:5: healthcheck-producer-config.defaults."
                                    "polling_intervall_in_seconds: unknown key"),
                  StartsWith(file + ":10:12: healthcheck-producer-config.websites[0].url: "
                                    "expected an http(s), tcp, tls, dns or icmp URL"),
                  StartsWith(file + ":11:14: healthcheck-producer-config.websites[0].regex: "
                                    "regex does not compile under RE2"),
                  "3 errors in " + file));
  for (const std::string& line : run.stderr_lines) EXPECT_THAT(line, Not(HasSubstr("hunter2")));
}

TEST(CheckConfigCommand, MissingFileIsOneErrorAndExitsTwo) {
  test::TempDir dir;
  auto config = dir.path() / "absent.yaml";
  CheckConfigRun run = check_config(config, dir);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.stderr_lines,
              ElementsAre(config.string() + ": cannot read the config: no such file",
                          "1 error in " + config.string()));
}

TEST(CheckConfigCommand, RepositoryConfigIsValidAndSummarized) {
  test::TempDir dir;
  auto config = test::source_dir() / "config.yaml";
  CheckConfigRun run = check_config(config, dir);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(run.stderr_lines.empty());
  EXPECT_THAT(run.stdout_lines,
              ElementsAre(config.string() +
                          ": OK: 6 sites, 1 topic (healthcheck); consumer group hc-consumer: "
                          "1 topic -> 1 table in 1 database; notify group hc-notify: 1 events "
                          "topic -> 1 route to 1 channel"));
}

}  // namespace
}  // namespace hc
