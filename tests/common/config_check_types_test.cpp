// The URL's scheme selects the check type; each type's keys are validated with their
// position, and a key that does not apply to the site's type is an error there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config_test_helpers.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Lines 1-5; the sites start at line 6.
constexpr std::string_view kHead =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  defaults:\n"
    "    destination_topic: healthcheck\n"
    "  websites:\n";

ConfigLoadResult sites(std::string_view text) {
  return parse(std::string(kHead) + std::string(text));
}

TEST(ConfigCheckTypes, SchemeSelectsTheTypeAndHttpStaysHttp) {
  const ConfigLoadResult result = sites(
      "    - url: http://127.0.0.1:8089/\n"
      "    - url: HTTPS://127.0.0.1:8443/\n"
      "    - url: tcp://127.0.0.1:6379\n"
      "      send: \"PING\\r\\n\"\n"
      "      expect: \"^\\\\+PONG\"\n"
      "    - url: tls://[::1]:443/\n"
      "      min_cert_days: 14\n"
      "      tls: {server_name: example.test}\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& websites = result.config->producer->websites;
  ASSERT_EQ(websites.size(), 4U);
  EXPECT_EQ(websites[0].check_type, CheckType::kHttp);
  EXPECT_EQ(websites[1].check_type, CheckType::kHttp);
  EXPECT_EQ(websites[2].check_type, CheckType::kTcp);
  EXPECT_EQ(websites[2].send, "PING\r\n");
  EXPECT_EQ(websites[2].expect, "^\\+PONG");
  EXPECT_EQ(websites[3].check_type, CheckType::kTls);
  EXPECT_EQ(websites[3].min_cert_days, 14);
  EXPECT_EQ(websites[3].tls.server_name, "example.test");
}

TEST(ConfigCheckTypes, KeysOfAnotherTypeAreErrorsAtTheirPosition) {
  const ConfigLoadResult result = sites(
      "    - url: tcp://127.0.0.1:6379\n"   // 6
      "      regex: ok\n"                   // 7
      "      tls: {server_name: a.test}\n"  // 8
      "    - url: tls://127.0.0.1:443\n"    // 9
      "      expect: x\n"                   // 10
      "      expected_status: 200\n"        // 11
      "    - url: http://127.0.0.1:80/\n"   // 12
      "      send: hello\n");               // 13
  ASSERT_FALSE(result.ok());
  std::vector<std::string> lines;
  for (const ConfigError& error : result.errors) lines.push_back(error.to_string());
  EXPECT_THAT(
      lines,
      ElementsAre(
          "test.yaml:7:14: healthcheck-producer-config.websites[0].regex: 'regex' does not apply "
          "to a tcp check (it applies to: http)",
          "test.yaml:8:12: healthcheck-producer-config.websites[0].tls: 'tls' does not apply to a "
          "tcp check (it applies to: http, tls)",
          "test.yaml:10:15: healthcheck-producer-config.websites[1].expect: 'expect' does not "
          "apply to a tls check (it applies to: tcp)",
          "test.yaml:11:24: healthcheck-producer-config.websites[1].expected_status: "
          "'expected_status' does not apply to a tls check (it applies to: http)",
          "test.yaml:13:13: healthcheck-producer-config.websites[2].send: 'send' does not apply "
          "to an http check (it applies to: tcp)"));
}

TEST(ConfigCheckTypes, DefaultsOfOtherTypesDoNotApplyAndAreNoError) {
  const ConfigLoadResult result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: healthcheck\n"
      "    regex: Welcome\n"
      "    expected_status: 200\n"
      "  websites:\n"
      "    - url: tcp://127.0.0.1:6379\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
}

TEST(ConfigCheckTypes, BadTargetsAreErrorsNamingWhatIsWrong) {
  const ConfigLoadResult result = sites(
      "    - url: tcp://127.0.0.1\n"           // 6
      "    - url: tcp://127.0.0.1:99999\n"     // 7
      "    - url: tls://127.0.0.1:443/path\n"  // 8
      "    - url: tcp://127.0.0.1:1\n"         // 9
      "      expect: \"(\"\n"                  // 10
      "      send: \"\"\n");
  ASSERT_EQ(result.errors.size(), 4U) << all_errors(result);
  EXPECT_THAT(result.errors[0].to_string(),
              HasSubstr("test.yaml:6:12: healthcheck-producer-config.websites[0].url: expected "
                        "tcp://host:port, got 'tcp://127.0.0.1': missing port"));
  EXPECT_THAT(result.errors[1].to_string(), HasSubstr(":7:12:"));
  EXPECT_THAT(result.errors[1].message, HasSubstr("expected a port 1..65535"));
  EXPECT_THAT(result.errors[2].message, HasSubstr("unexpected '/path'"));
  EXPECT_THAT(result.errors[3].to_string(), HasSubstr(":10:15:"));
  EXPECT_THAT(result.errors[3].message, HasSubstr("does not compile under RE2"));
}

TEST(ConfigCheckTypes, TypeKeysAreNotDefaults) {
  const ConfigLoadResult result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: healthcheck\n"
      "    expect: x\n"
      "  websites:\n"
      "    - url: tcp://127.0.0.1:6379\n");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.errors[0].to_string(), HasSubstr("test.yaml:5:5:"));
  EXPECT_THAT(result.errors[0].message, HasSubstr("expect"));
}

TEST(ConfigCheckTypes, DnsSitesNameTheirServerNameAndTypeAndExpectAnswers) {
  const ConfigLoadResult result = sites(
      "    - url: dns://127.0.0.1:5353/www.example.test?type=AAAA\n"
      "      expected: [\"2001:db8::1\"]\n"
      "    - url: dns:///www.example.test\n"
      "      expected: \"^192\\\\.0\\\\.2\\\\.\"\n"
      "      max_response_time_ms: 100\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& websites = result.config->producer->websites;
  EXPECT_EQ(websites[0].check_type, CheckType::kDns);
  EXPECT_EQ(websites[0].expected_answers, std::vector<std::string>{"2001:db8::1"});
  EXPECT_EQ(websites[1].expected_pattern, "^192\\.0\\.2\\.");
}

TEST(ConfigCheckTypes, BadDnsUrlsAndKeysAreErrorsAtTheirPosition) {
  const ConfigLoadResult result = sites(
      "    - url: dns://resolver.test/www.example.test\n"       // 6: server not an address
      "    - url: dns://127.0.0.1/www.example.test?type=SRV\n"  // 7
      "    - url: dns://127.0.0.1/\n"                           // 8
      "    - url: dns://127.0.0.1/a.test\n"                     // 9
      "      expect: x\n"                                       // 10
      "    - url: tcp://127.0.0.1:1\n"                          // 11
      "      expected: [a]\n");                                 // 12
  ASSERT_EQ(result.errors.size(), 5U) << all_errors(result);
  EXPECT_THAT(result.errors[0].to_string(), HasSubstr(":6:12:"));
  EXPECT_THAT(result.errors[0].message, HasSubstr("the server must be an IP address"));
  EXPECT_THAT(result.errors[1].message, HasSubstr("unsupported record type 'SRV'"));
  EXPECT_THAT(result.errors[2].message, HasSubstr("expected a DNS name"));
  EXPECT_THAT(result.errors[3].to_string(),
              HasSubstr(":10:15: healthcheck-producer-config.websites[3].expect: 'expect' does not "
                        "apply to a dns check (it applies to: tcp)"));
  EXPECT_THAT(result.errors[4].to_string(), HasSubstr(":12:17:"));
  EXPECT_THAT(result.errors[4].message, HasSubstr("(it applies to: dns)"));
}

}  // namespace
}  // namespace hc
