// The admin API's handlers on a fake topic (no Kafka, no sockets): who may write, what each
// call answers, and that a write lands in the topic as the codec states. The real server,
// its 405 and 413, and Kafka are in admin_api_e2e_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api_auth.h"
#include "fleet_api.h"
#include "hc/common/silence_json.h"
#include "hc/test/fake_clock.h"
#include "record_store.h"
#include "silences_api.h"
#include "sites_api.h"

namespace hc::serve {
namespace {

using ::testing::HasSubstr;

constexpr const char* kToken = "0123456789abcdef-token";

class FakeStore final : public RecordStore {
 public:
  explicit FakeStore(std::string topic) : topic_(std::move(topic)) {}
  const std::string& topic() const override { return topic_; }
  CompactedTopicRead read() override {
    ++reads;
    CompactedTopicRead read;
    read.latest = records;
    read.complete = answers;
    if (!answers) read.problem = "no answer";
    return read;
  }
  std::vector<std::string> publish(const std::vector<KeyedRecord>& published) override {
    if (!answers) return {"no answer"};
    for (const auto& [key, value] : published) records.apply(0, next_offset_++, key, value);
    return {};
  }
  SiteSet records;
  bool answers = true;
  int reads = 0;

 private:
  std::string topic_;
  std::int64_t next_offset_ = 0;
};

ProducerConfig fleet_producer() {
  ProducerConfig producer;
  producer.sites_topic = "hc.sites";
  producer.site_defaults.destination_topic = "checks";
  return producer;
}

class AdminApiTest : public ::testing::Test {
 protected:
  explicit AdminApiTest(const std::string& token = kToken) : guard_(token) {
    add_sites_api(routes_, &producer_, &sites_, guard_);
    add_silences_api(routes_, &silences_, guard_, clock_,
                     [this] { return std::string(32, static_cast<char>('a' + ids_++)); });
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& body = "", const char* authorization = nullptr) {
    http::Request request;
    request.method = method;
    request.target = path;
    request.path = path;
    request.body = body;
    if (authorization != nullptr) request.headers.emplace_back("Authorization", authorization);
    const auto match = routes_.find(method, path);
    if (match.route == nullptr) return http::Response::text(match.allow.empty() ? 404 : 405, "");
    request.path_params = match.params;
    return match.route->handler(request);
  }
  http::Response write(const std::string& method, const std::string& path,
                       const std::string& body = "") {
    const std::string bearer = std::string("Bearer ") + kToken;
    return call(method, path, body, bearer.c_str());
  }

  ProducerConfig producer_ = fleet_producer();
  FakeStore sites_{"hc.sites"};
  FakeStore silences_{"notify.silences"};
  // 2026-12-04T12:00:00Z
  test::FakeClock clock_{WallTime(std::chrono::seconds(1'796'385'600))};
  WriteGuard guard_;
  int ids_ = 0;
  http::Routes routes_;
};

const std::string kSitePath = "/api/v1/sites/http%3A%2F%2F127.0.0.1%3A8080%2Fa";
const std::string kSiteUrl = "http://127.0.0.1:8080/a";

TEST(ConstantTimeEquals, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abd", "abc"));
  EXPECT_FALSE(constant_time_equals("ab", "abc"));
  EXPECT_FALSE(constant_time_equals("abcd", "abc"));
  EXPECT_FALSE(constant_time_equals("", "abc"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

TEST_F(AdminApiTest, WritesNeedTheBearerTokenReadsDoNot) {
  EXPECT_EQ(call("GET", "/api/v1/sites").status, 200);
  const auto missing = call("PUT", kSitePath, "{}");
  EXPECT_EQ(missing.status, 401);
  EXPECT_THAT(missing.body, HasSubstr("Authorization: Bearer"));
  EXPECT_EQ(call("PUT", kSitePath, "{}", "Bearer wrong-token-0123456789").status, 401);
  EXPECT_EQ(call("PUT", kSitePath, "{}", "Basic 0123456789abcdef-token").status, 401);
  EXPECT_EQ(call("PUT", kSitePath, "{}", "Bearer 0123456789abcdef-toke").status, 401);
  EXPECT_EQ(call("POST", "/api/v1/silences", "{}", "Bearer nope").status, 401);
  EXPECT_TRUE(sites_.records.sites().empty()) << "a refused write published";
  // The scheme's case does not matter (RFC 7235).
  EXPECT_EQ(call("PUT", kSitePath, "{}", "bearer 0123456789abcdef-token").status, 200);
  // The token is never echoed.
  EXPECT_EQ(missing.body.find(kToken), std::string::npos);
}

class NoTokenTest : public AdminApiTest {
 protected:
  NoTokenTest() : AdminApiTest("") {}
};

TEST_F(NoTokenTest, EveryWriteIsRefusedWhateverIsSent) {
  const auto refused = write("PUT", kSitePath, "{}");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("set api_token"));
  EXPECT_EQ(call("PUT", kSitePath, "{}", "Bearer ").status, 403);
  EXPECT_EQ(write("DELETE", kSitePath).status, 403);
  EXPECT_EQ(write("POST", "/api/v1/silences", "{}").status, 403);
  EXPECT_EQ(write("DELETE", "/api/v1/silences/abc").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/sites").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/silences").status, 200);
}

TEST_F(AdminApiTest, PutGetListDeleteRoundTrip) {
  const auto put = write("PUT", kSitePath, R"({"polling_interval_in_seconds":5,"regex":"ok"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body,
            R"({"url":"http://127.0.0.1:8080/a","polling_interval_in_seconds":5,"regex":"ok"})"
            "\n");
  EXPECT_EQ(sites_.records.sites().at(kSiteUrl).value,
            R"({"url":"http://127.0.0.1:8080/a","polling_interval_in_seconds":5,"regex":"ok"})");
  EXPECT_EQ(call("GET", kSitePath).body, put.body);
  const auto list = nlohmann::json::parse(call("GET", "/api/v1/sites").body);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0]["url"], kSiteUrl);

  const auto deleted = write("DELETE", kSitePath);
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_TRUE(sites_.records.sites().empty());
  EXPECT_EQ(call("GET", kSitePath).status, 404);
  EXPECT_EQ(write("DELETE", kSitePath).status, 404);
}

TEST_F(AdminApiTest, SiteRefusalsNameTheFieldOrTheConflict) {
  const auto bad = write("PUT", kSitePath, R"({"polling_interval_in_seconds":0,"retries":9})");
  ASSERT_EQ(bad.status, 400);
  const auto errors = nlohmann::json::parse(bad.body)["errors"];
  ASSERT_EQ(errors.size(), 2U) << bad.body;
  EXPECT_EQ(errors[0]["field"], "polling_interval_in_seconds");
  EXPECT_EQ(errors[1]["field"], "retries");

  const auto unknown = write("PUT", kSitePath, R"({"intervall":5})");
  ASSERT_EQ(unknown.status, 400);
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["errors"][0]["field"], "intervall");

  const auto not_json = write("PUT", kSitePath, "{");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_THAT(not_json.body, HasSubstr("not valid JSON"));

  const auto conflict = write("PUT", kSitePath, R"({"url":"http://127.0.0.1:8080/b"})");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(write("PUT", kSitePath, R"({"url":"http://127.0.0.1:8080/a"})").status, 200);

  const auto bad_path = write("PUT", "/api/v1/sites/http%3A%2F%2F%ZZ", "{}");
  EXPECT_EQ(bad_path.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_path.body)["errors"][0]["field"], "url");
  const auto bad_scheme = write("PUT", "/api/v1/sites/ftp%3A%2F%2F127.0.0.1%2F", "{}");
  EXPECT_EQ(bad_scheme.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad_scheme.body)["errors"][0]["field"], "url");
  EXPECT_EQ(sites_.records.size(), 1U) << "only the valid PUT published";
}

TEST_F(AdminApiTest, AClusterThatDoesNotAnswerIsA503) {
  sites_.answers = false;
  EXPECT_EQ(call("GET", "/api/v1/sites").status, 503);
  const auto put = write("PUT", kSitePath, "{}");
  EXPECT_EQ(put.status, 503);
  EXPECT_THAT(put.body, HasSubstr("not written to hc.sites"));
}

TEST_F(AdminApiTest, SilenceCreatedListedAndDeleted) {
  const auto created =
      write("POST", "/api/v1/silences",
            R"({"url_regex":"shop","duration":"2h","comment":"upgrade","created_by":"ops"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto silence = nlohmann::json::parse(created.body);
  const std::string id(32, 'a');
  EXPECT_EQ(silence["id"], id);
  EXPECT_EQ(silence["state"], "active");
  EXPECT_EQ(silence["ends_at"], "2026-12-04T14:00:00Z");
  ASSERT_TRUE(silences_.records.sites().contains(id));
  EXPECT_TRUE(decode_silence_record(id, silences_.records.sites().at(id).value).silence);

  clock_.advance(std::chrono::hours(3));
  const auto listed = nlohmann::json::parse(call("GET", "/api/v1/silences").body);
  ASSERT_EQ(listed["silences"].size(), 1U);
  EXPECT_EQ(listed["silences"][0]["state"], "expired");

  EXPECT_EQ(write("DELETE", "/api/v1/silences/" + id).status, 200);
  EXPECT_TRUE(silences_.records.sites().empty());
  EXPECT_EQ(write("DELETE", "/api/v1/silences/" + id).status, 404);
}

TEST_F(AdminApiTest, SilenceRefusalsNameTheField) {
  const auto bad = write("POST", "/api/v1/silences",
                         R"({"url_regex":"(","starts_at":"2026-12-05T03:00:00Z",)"
                         R"("ends_at":"2026-12-05T01:00:00Z","created_by":"ops"})");
  ASSERT_EQ(bad.status, 400);
  const auto body = nlohmann::json::parse(bad.body);
  std::vector<std::string> fields;
  for (const auto& error : body["errors"]) fields.push_back(error["field"]);
  EXPECT_EQ(fields, (std::vector<std::string>{"url_regex", "ends_at", "comment"}));
  EXPECT_TRUE(silences_.records.sites().empty());
}

TEST(AdminApiUnconfigured, PartsWithoutTheirTopicSayWhatIsMissing) {
  http::Routes routes;
  const WriteGuard guard(kToken);
  const test::FakeClock clock;
  add_sites_api(routes, nullptr, nullptr, guard);
  add_silences_api(routes, nullptr, guard, clock, random_silence_id);
  add_fleet_api(routes, nullptr, nullptr, {});
  for (const char* path : {"/api/v1/sites", "/api/v1/silences", "/api/v1/fleet"}) {
    const auto match = routes.find("GET", path);
    ASSERT_NE(match.route, nullptr) << path;
    http::Request request;
    const auto response = match.route->handler(request);
    EXPECT_EQ(response.status, 501) << path;
    EXPECT_THAT(response.body,
                ::testing::AnyOf(HasSubstr("sites_topic"), HasSubstr("healthcheck-notify-config")));
  }
}

TEST(FleetApi, ProducersWithTheirPartitionsAndSiteCounts) {
  http::Routes routes;
  ProducerConfig producer = fleet_producer();
  FakeStore sites("hc.sites");
  sites.records.apply(0, 1, "http://127.0.0.1/a", "{}");
  sites.records.apply(0, 2, "http://127.0.0.1/b", "{}");
  sites.records.apply(1, 1, "http://127.0.0.1/c", "{}");
  sites.records.apply(2, 1, "http://127.0.0.1/d", "{}");
  sites.records.apply(2, 2, "http://127.0.0.1/bad", R"({"retries":99})");  // not checked
  add_fleet_api(routes, &producer, &sites, [] {
    GroupDescription group{"Stable",
                           {GroupMember{"m-1", "hc-producer", "/127.0.0.1", {{"hc.sites", {0, 1}}}},
                            GroupMember{"m-2", "hc-producer", "/127.0.0.2", {}}}};
    return GroupDescribeResult{group, ""};
  });
  const auto response = routes.find("GET", "/api/v1/fleet").route->handler(http::Request{});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto fleet = nlohmann::json::parse(response.body);
  EXPECT_EQ(fleet["group"], "hc-producers");
  EXPECT_EQ(fleet["state"], "Stable");
  EXPECT_EQ(fleet["total_sites"], 4);
  EXPECT_EQ(fleet["unassigned_sites"], 1);
  ASSERT_EQ(fleet["producers"].size(), 2U);
  EXPECT_EQ(fleet["producers"][0]["sites"], 3);
  EXPECT_EQ(fleet["producers"][0]["partitions"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(fleet["producers"][1]["sites"], 0);
}

TEST(FleetApi, AGroupThatCannotBeDescribedIsA503) {
  http::Routes routes;
  ProducerConfig producer = fleet_producer();
  FakeStore sites("hc.sites");
  add_fleet_api(routes, &producer, &sites, [] {
    return GroupDescribeResult{std::nullopt, "cannot describe group: x"};
  });
  const auto response = routes.find("GET", "/api/v1/fleet").route->handler(http::Request{});
  EXPECT_EQ(response.status, 503);
  EXPECT_THAT(response.body, HasSubstr("cannot describe group"));
}

}  // namespace
}  // namespace hc::serve
