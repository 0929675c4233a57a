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

ConfigLoadResult sites(std::string_view text) {
  return parse(std::string(test::kSitesHead) + std::string(text));
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
  const std::vector<std::string> lines = test::error_lines(result);
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

TEST(ConfigCheckTypes, PerHostLimitAndAddressFamilyFromDefaultsAndSites) {
  const ConfigLoadResult result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: healthcheck\n"
      "    max_concurrent_per_host: 2\n"
      "    ip_version: 6\n"
      "  websites:\n"
      "    - url: http://localhost:8089/\n"
      "    - url: tcp://127.0.0.1:6379\n"
      "      ip_version: 4\n"
      "      max_concurrent_per_host: 50\n"
      "    - url: dns://127.0.0.1:53/a.test\n"
      "    - url: tls://localhost:443\n"
      "      ip_version: any\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& websites = result.config->producer->websites;
  ASSERT_EQ(websites.size(), 4U);
  EXPECT_EQ(websites[0].max_concurrent_per_host, 2U);
  EXPECT_EQ(websites[0].ip_version, IpVersion::kV6);
  EXPECT_EQ(websites[1].max_concurrent_per_host, 50U);
  EXPECT_EQ(websites[1].ip_version, IpVersion::kV4);
  // Inherited from defaults, ip_version means nothing to a dns site (its server is an address).
  EXPECT_EQ(websites[2].check_type, CheckType::kDns);
  EXPECT_EQ(websites[3].ip_version, IpVersion::kAny);
  EXPECT_EQ(SiteConfig{}.max_concurrent_per_host, 4U);
  EXPECT_EQ(SiteConfig{}.ip_version, IpVersion::kAny);
}

TEST(ConfigCheckTypes, PerHostLimitAndAddressFamilyErrorsAtTheirPosition) {
  const ConfigLoadResult result = sites(
      "    - url: http://127.0.0.1:80/\n"       // 6
      "      max_concurrent_per_host: 0\n"      // 7
      "      ip_version: 5\n"                   // 8
      "    - url: dns://127.0.0.1:53/a.test\n"  // 9
      "      ip_version: 4\n"                   // 10
      "    - url: tcp://[::1]:22\n"             // 11
      "      ip_version: 4\n"                   // 12
      "    - url: http://127.0.0.1:80/x\n"      // 13
      "      ip_version: 6\n");                 // 14
  ASSERT_FALSE(result.ok());
  const std::vector<std::string> lines = test::error_lines(result);
  ASSERT_EQ(lines.size(), 5U) << all_errors(result);
  EXPECT_THAT(lines[0], HasSubstr("test.yaml:7:32: healthcheck-producer-config.websites[0]."
                                  "max_concurrent_per_host: "));
  EXPECT_THAT(lines[1], HasSubstr("test.yaml:8:19: healthcheck-producer-config.websites[0]."
                                  "ip_version: "));
  EXPECT_EQ(lines[2],
            "test.yaml:10:19: healthcheck-producer-config.websites[1].ip_version: 'ip_version' "
            "does not apply to a dns check (it applies to: http, tcp, tls)");
  EXPECT_EQ(lines[3],
            "test.yaml:12:19: healthcheck-producer-config.websites[2].ip_version: ip_version 4 "
            "cannot reach '::1', an IPv6 address");
  EXPECT_EQ(lines[4],
            "test.yaml:14:19: healthcheck-producer-config.websites[3].ip_version: ip_version 6 "
            "cannot reach '127.0.0.1', an IPv4 address");
}

TEST(ConfigCheckTypes, ProxiesAreValidatedAndTheirPasswordsNeverQuoted) {
  const ConfigLoadResult good = sites(
      "    - url: http://127.0.0.1:80/a\n"
      "      proxy: http://user:pw@127.0.0.1:3128\n"
      "      no_proxy: [localhost, .internal.test, 10.0.0.1]\n"
      "    - url: http://127.0.0.1:80/b\n"
      "      proxy: env\n"
      "    - url: http://127.0.0.1:80/c\n"
      "      proxy: socks5h://127.0.0.1:1080\n");
  ASSERT_TRUE(good.ok()) << all_errors(good);
  const auto& websites = good.config->producer->websites;
  EXPECT_EQ(websites[0].proxy, "http://user:pw@127.0.0.1:3128");
  EXPECT_EQ(websites[0].no_proxy, "localhost,.internal.test,10.0.0.1");
  EXPECT_EQ(websites[1].proxy, "env");
  EXPECT_EQ(websites[2].proxy, "socks5h://127.0.0.1:1080");

  const ConfigLoadResult bad = sites(
      "    - url: http://127.0.0.1:80/\n"             // 6
      "      proxy: ftp://user:hunter2@proxy.test\n"  // 7
      "      no_proxy: [\"a.test,b.test\"]\n"         // 8
      "    - url: tcp://127.0.0.1:22\n"               // 9
      "      proxy: env\n");                          // 10
  ASSERT_FALSE(bad.ok());
  const std::vector<std::string> lines = test::error_lines(bad);
  ASSERT_EQ(lines.size(), 3U) << all_errors(bad);
  EXPECT_THAT(lines[0], HasSubstr("test.yaml:7:14: healthcheck-producer-config.websites[0].proxy: "
                                  "expected 'env' or a proxy URL"));
  EXPECT_THAT(lines[0], HasSubstr("unsupported proxy scheme 'ftp'"));
  EXPECT_THAT(all_errors(bad), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(lines[1], HasSubstr("test.yaml:8:18: healthcheck-producer-config.websites[0]."
                                  "no_proxy[0]: expected a host name"));
  EXPECT_EQ(lines[2],
            "test.yaml:10:14: healthcheck-producer-config.websites[1].proxy: 'proxy' does not "
            "apply to a tcp check (it applies to: http)");
}

}  // namespace
}  // namespace hc
