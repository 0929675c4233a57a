// The admin API of the built `hc serve` against hc-devbroker: who may write, the refusals the
// server itself makes (405, 413) and the handlers' (400 naming the field, 409), and a site
// PUT through the API seen by `hc sites list` and gone after DELETE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

using ::testing::HasSubstr;

constexpr const char* kToken = "e2e-token-0123456789abcdef";
const std::string kUrl = "http://127.0.0.1:9/api-site";
const std::string kPath = "/api/v1/sites/http%3A%2F%2F127.0.0.1%3A9%2Fapi-site";

class AdminApiE2e : public ::testing::Test {
 protected:
  AdminApiE2e() : broker_({{"hc.sites", 2}}) {}

  // The config of hc serve: a fleet-mode producer section, then `token_line`.
  void write_config(const std::string& token_line) {
    config_ = dir_.path() / "config.yaml";
    std::ofstream(config_) << "healthcheck-producer-config:\n"
                           << "  bootstrap_servers: [\"" << broker_.bootstrap_servers() << "\"]\n"
                           << "  sites_topic: hc.sites\n"
                           << "  defaults: {destination_topic: checks}\n"
                           << "healthcheck-consumer-config:\n"
                           << "  bootstrap_servers: [\"" << broker_.bootstrap_servers() << "\"]\n"
                           << "  topics:\n"
                           << "    - source_topic: checks\n"
                           << "      connection_uri: \"postgresql://postgres@127.0.0.1:9/x\"\n"
                           << "      table_name: checks\n"
                           << token_line;
    port_ = test::unused_loopback_port();
  }
  // Waits until the hc serve started on port_ answers.
  void wait_until_ready() {
    client_.emplace("127.0.0.1", port_);
    client_->set_read_timeout(std::chrono::seconds(20));
    ASSERT_TRUE(test::eventually(
        [&] {
          auto response = client_->Get("/healthz");
          return response && response->status == 200;
        },
        std::chrono::seconds(20)))
        << log();
  }
  std::string log() const { return test::read_file(dir_.path() / "serve.log"); }
  httplib::Headers bearer(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}};
  }
  // The JSON array `hc sites list --format json` prints (its output also holds librdkafka's
  // log lines on stderr: the array is the part from the line that starts with '[').
  nlohmann::json listed_by_hc_sites() const {
    auto listed = test::run_hc({"sites", "list", "-c", config_.string(), "--format", "json"});
    EXPECT_EQ(listed.exit_code, 0) << listed.output;
    const std::size_t line = listed.output.front() == '[' ? 0 : listed.output.find("\n[");
    if (line == std::string::npos) return "no JSON array in: " + listed.output;
    std::istringstream array(listed.output.substr(line));
    nlohmann::json parsed;
    array >> parsed;  // one value: whatever follows it is left unread
    return parsed;
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  std::filesystem::path config_;
  int port_ = 0;
  std::optional<httplib::Client> client_;
};

TEST_F(AdminApiE2e, WithoutATokenEveryWriteIsRefusedAndReadsWork) {
  write_config("");
  test::ChildProcess serve = test::start_serve(config_, dir_, port_);
  wait_until_ready();
  auto list = client_->Get("/api/v1/sites");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200) << list->body << log();
  EXPECT_EQ(list->body, "[]\n");
  auto put = client_->Put(kPath, bearer(kToken), "{}", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 403);
  EXPECT_THAT(put->body, HasSubstr("set api_token"));
  EXPECT_THAT(log(), HasSubstr("writes refused (no api_token)"));
}

TEST_F(AdminApiE2e, PutGetDeleteRoundTripSeenByHcSitesListAndOnlyWithTheToken) {
  write_config(std::string("healthcheck-serve-config:\n  api_token: \"") + kToken + "\"\n");
  test::ChildProcess serve = test::start_serve(config_, dir_, port_);
  wait_until_ready();
  auto wrong = client_->Put(kPath, bearer("not-the-token-0123456789"), "{}", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("WWW-Authenticate"), "Bearer realm=\"hc\"");
  auto anonymous = client_->Put(kPath, "{}", "application/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  auto put = client_->Put(kPath, bearer(kToken), R"({"polling_interval_in_seconds": 5})",
                          "application/json");
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body << log();
  EXPECT_EQ(put->get_header_value("X-Content-Type-Options"), "nosniff");
  auto got = client_->Get(kPath);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(nlohmann::json::parse(got->body)["polling_interval_in_seconds"], 5);
  const nlohmann::json listed = listed_by_hc_sites();
  ASSERT_EQ(listed.size(), 1U) << listed;
  EXPECT_EQ(listed[0]["url"], kUrl);
  auto api_list = client_->Get("/api/v1/sites");
  ASSERT_TRUE(api_list);
  EXPECT_EQ(nlohmann::json::parse(api_list->body), listed) << "the API and hc sites list differ";

  auto deleted = client_->Delete(kPath, bearer(kToken));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(listed_by_hc_sites(), nlohmann::json::array());
  auto gone = client_->Get(kPath);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  // Neither the token nor the header is in the log, even at debug level.
  EXPECT_THAT(log(), ::testing::Not(HasSubstr(kToken)));
  EXPECT_THAT(log(), ::testing::Not(HasSubstr("not-the-token")));
}

TEST_F(AdminApiE2e, RefusalsNameTheFieldOrTheLimit) {
  write_config(std::string("healthcheck-serve-config:\n  api_token: \"") + kToken + "\"\n");
  test::ChildProcess serve = test::start_serve(config_, dir_, port_);
  wait_until_ready();
  auto invalid = client_->Put(kPath, bearer(kToken), R"({"retries": 9})", "application/json");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(nlohmann::json::parse(invalid->body)["errors"][0]["field"], "retries");

  auto conflict = client_->Put(kPath, bearer(kToken), R"({"url": "http://127.0.0.1:9/other"})",
                               "application/json");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);

  const std::string huge = R"({"regex": ")" + std::string(std::size_t{70} * 1024, 'x') + R"("})";
  auto oversized = client_->Put(kPath, bearer(kToken), huge, "application/json");
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 413);

  auto post = client_->Post(kPath, bearer(kToken), "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD, PUT, DELETE");

  auto silences = client_->Get("/api/v1/silences");
  ASSERT_TRUE(silences);
  EXPECT_EQ(silences->status, 501) << "no notify section: the silences API says so";
  EXPECT_EQ(listed_by_hc_sites(), nlohmann::json::array()) << "a refused write landed";
}

}  // namespace
}  // namespace hc
