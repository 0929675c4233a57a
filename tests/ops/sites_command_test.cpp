// `hc sites add|remove|list|import` through the built binary against hc-devbroker: what is
// published is what `list` reads back, and bad input is refused naming the flag or the line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hc/test/support.h"

namespace hc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SitesCommand : public ::testing::Test {
 protected:
  SitesCommand() : broker_({{"hc.sites", 3}}) {
    config_ = dir_.path() / "config.yaml";
    std::ofstream(config_) << "healthcheck-producer-config:\n"
                           << "  bootstrap_servers: [\"" << broker_.bootstrap_servers() << "\"]\n"
                           << "  sites_topic: hc.sites\n"
                           << "  defaults: {destination_topic: checks}\n";
  }

  test::CommandResult sites(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {"sites"});
    arguments.insert(arguments.begin() + 2, {"-c", config_.string()});
    return test::run_hc(arguments);
  }

  nlohmann::json listed() {
    test::CommandResult list = sites({"list", "--format", "json"});
    EXPECT_EQ(list.exit_code, 0) << list.output;
    // Log lines (librdkafka warnings) go to stderr, merged here: the array starts at '['.
    const std::size_t start = list.output.find("[\n");
    const std::size_t end = list.output.rfind(']');
    if (start == std::string::npos || end == std::string::npos) return nlohmann::json::array();
    return nlohmann::json::parse(list.output.substr(start, end - start + 1));
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  std::filesystem::path config_;
};

TEST_F(SitesCommand, AddListRemove) {
  test::CommandResult added = sites({"add", "http://127.0.0.1:9/a", "--polling-interval-in-seconds",
                                     "5", "--regex", "Example Domain", "--expected-status",
                                     "[200, \"300-301\"]", "--follow-redirects", "true"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  nlohmann::json sites_listed = listed();
  ASSERT_EQ(sites_listed.size(), 1U) << sites_listed.dump();
  EXPECT_EQ(sites_listed[0]["url"], "http://127.0.0.1:9/a");
  EXPECT_EQ(sites_listed[0]["polling_interval_in_seconds"], 5);
  EXPECT_EQ(sites_listed[0]["regex"], "Example Domain");
  EXPECT_EQ(sites_listed[0]["expected_status"], nlohmann::json::parse(R"([200,"300-301"])"));
  EXPECT_EQ(sites_listed[0]["follow_redirects"], true);

  test::CommandResult table = sites({"list"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.output, HasSubstr("http://127.0.0.1:9/a  5s        checks  Example Domain"));

  test::CommandResult removed = sites({"remove", "http://127.0.0.1:9/a"});
  ASSERT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_TRUE(listed().empty());
  test::CommandResult again = sites({"remove", "http://127.0.0.1:9/a"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.output, HasSubstr("is not in hc.sites"));
}

TEST_F(SitesCommand, AddRefusesBadValuesNamingTheFlagAndPublishesNothing) {
  test::CommandResult added = sites({"add", "http://127.0.0.1:9/b", "--polling-interval-in-seconds",
                                     "0", "--tls", R"({"min_version":"1.0"})", "--regex", "("});
  EXPECT_EQ(added.exit_code, 2);
  EXPECT_THAT(added.output, HasSubstr("--polling-interval-in-seconds: expected a number of "
                                      "seconds in 1..86400, got 0"));
  EXPECT_THAT(added.output, HasSubstr("--tls: min_version: expected one of 1.2, 1.3"));
  EXPECT_THAT(added.output, HasSubstr("--regex: regex does not compile under RE2"));
  test::CommandResult bad_url = sites({"add", "ftp://127.0.0.1/x"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_THAT(bad_url.output, HasSubstr("URL: expected an http(s), tcp, tls, dns or icmp URL"));
  EXPECT_TRUE(listed().empty());
}

TEST_F(SitesCommand, ImportPublishesOnlyWhatChangedAndPrunes) {
  const auto file = dir_.path() / "sites.yaml";
  auto write_file = [&](const std::string& websites) {
    std::ofstream(file) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: 127.0.0.1:9\n"
                        << "  defaults: {destination_topic: checks}\n"
                        << "  websites:\n"
                        << websites;
  };
  ASSERT_EQ(sites({"add", "http://127.0.0.1:9/old"}).exit_code, 0);
  write_file("    - url: http://127.0.0.1:9/x\n      regex: ok\n    - url: http://127.0.0.1:9/y\n");

  test::CommandResult dry = sites({"import", file.string(), "--prune", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_THAT(dry.output, HasSubstr("+ http://127.0.0.1:9/x\n+ http://127.0.0.1:9/y\n"
                                    "- http://127.0.0.1:9/old\n"
                                    "dry run, nothing published: 2 added, 0 changed, 1 removed"));
  EXPECT_EQ(listed().size(), 1U);

  test::CommandResult first = sites({"import", file.string()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("2 added, 0 changed, 0 removed, 0 unchanged"));
  EXPECT_EQ(listed().size(), 3U);

  write_file(
      "    - url: http://127.0.0.1:9/x\n      regex: changed\n"
      "    - url: http://127.0.0.1:9/y\n");
  test::CommandResult second = sites({"import", file.string(), "--prune"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_THAT(second.output, HasSubstr("~ http://127.0.0.1:9/x\n- http://127.0.0.1:9/old\n"
                                       "0 added, 1 changed, 1 removed, 1 unchanged"));
  nlohmann::json now = listed();
  ASSERT_EQ(now.size(), 2U);
  EXPECT_EQ(now[0]["regex"], "changed");
}

TEST_F(SitesCommand, ImportRefusesABadFileWithFileAndLine) {
  const auto file = dir_.path() / "bad.yaml";
  std::ofstream(file) << "healthcheck-producer-config:\n"
                      << "  bootstrap_servers: 127.0.0.1:9\n"
                      << "  websites:\n"
                      << "    - url: http://127.0.0.1:9/x\n"
                      << "      destination_topic: checks\n"
                      << "      polling_interval_in_seconds: -1\n";
  test::CommandResult imported = sites({"import", file.string()});
  EXPECT_EQ(imported.exit_code, 2);
  EXPECT_THAT(imported.output,
              HasSubstr(file.string() + ":6:36: healthcheck-producer-config.websites[0]."
                                        "polling_interval_in_seconds"));
  EXPECT_TRUE(listed().empty());
}

TEST_F(SitesCommand, FileModeConfigIsRefused) {
  const auto file_mode = dir_.path() / "file-mode.yaml";
  std::ofstream(file_mode) << "healthcheck-producer-config:\n"
                           << "  bootstrap_servers: 127.0.0.1:9\n"
                           << "  websites: [{url: 'http://127.0.0.1:9/', destination_topic: c}]\n";
  test::CommandResult listed_sites = test::run_hc({"sites", "list", "-c", file_mode.string()});
  EXPECT_EQ(listed_sites.exit_code, 2);
  EXPECT_THAT(listed_sites.output, HasSubstr("needs a healthcheck-producer-config section with "
                                             "sites_topic"));
  EXPECT_THAT(listed_sites.output, Not(HasSubstr("terminate")));
}

}  // namespace
}  // namespace hc
