// A sites-topic value is a `websites` entry in JSON: the same keys, the same validation, the
// errors naming the key.
#include "hc/common/site_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace hc {
namespace {

using ::testing::HasSubstr;

ProducerConfig fleet_defaults() {
  ProducerConfig producer;
  producer.sites_topic = "hc.sites";
  producer.site_defaults.destination_topic = "checks";
  producer.site_defaults.polling_interval = std::chrono::seconds(7);
  return producer;
}

std::string errors_of(const SiteDecodeResult& result) {
  std::string text;
  for (const ConfigError& error : result.errors) text += error.to_string() + "\n";
  return text;
}

TEST(SiteJson, MinimalValueTakesTheUrlFromTheKeyAndTheRestFromDefaults) {
  SiteDecodeResult decoded =
      decode_site_json("http://127.0.0.1:8080/a", "{}", fleet_defaults(), "hc.sites[0]@3");
  ASSERT_TRUE(decoded.site) << errors_of(decoded);
  EXPECT_EQ(decoded.site->url, "http://127.0.0.1:8080/a");
  EXPECT_EQ(decoded.site->destination_topic, "checks");
  EXPECT_EQ(decoded.site->events_topic, "checks.events");
  EXPECT_EQ(decoded.site->polling_interval, std::chrono::seconds(7));
}

TEST(SiteJson, KeysOverrideDefaultsAsInWebsites) {
  SiteDecodeResult decoded = decode_site_json(
      "https://127.0.0.1:8443/b",
      R"({"url":"https://127.0.0.1:8443/b","polling_interval_in_seconds":2,"regex":"ok",
          "expected_status":["200-204",301],"retries":2,"tls":{"min_version":"1.3"},
          "headers":{"X-A":"1"},"follow_redirects":true})",
      fleet_defaults(), "src");
  ASSERT_TRUE(decoded.site) << errors_of(decoded);
  const SiteConfig& site = *decoded.site;
  EXPECT_EQ(site.polling_interval, std::chrono::seconds(2));
  EXPECT_EQ(site.regex, "ok");
  EXPECT_EQ(site.expected_status, (std::vector<StatusRange>{{200, 204}, {301, 301}}));
  EXPECT_EQ(site.retries, 2);
  EXPECT_EQ(site.tls.min_version, 13);
  EXPECT_TRUE(site.follow_redirects);
}

TEST(SiteJson, EveryErrorNamesItsKeyAndTheSource) {
  SiteDecodeResult decoded = decode_site_json(
      "http://127.0.0.1/c",
      R"({"polling_interval_in_seconds":0,"regex":"(","methd":"GET","retries":"many"})",
      fleet_defaults(), "hc.sites[1]@9");
  EXPECT_FALSE(decoded.site);
  ASSERT_EQ(decoded.errors.size(), 4U) << errors_of(decoded);
  std::vector<std::string> keys;
  for (const ConfigError& error : decoded.errors) {
    EXPECT_EQ(error.file, "hc.sites[1]@9");
    EXPECT_EQ(error.line, 0);
    keys.push_back(error.key_path);
  }
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre("polling_interval_in_seconds", "regex", "methd",
                                                    "retries"));
  EXPECT_THAT(errors_of(decoded), HasSubstr("hc.sites[1]@9: methd: unknown key 'methd'; did you "
                                            "mean 'method'?"));
}

TEST(SiteJson, UrlIsValidatedAsInWebsites) {
  SiteDecodeResult decoded = decode_site_json("ftp://127.0.0.1/x", "{}", fleet_defaults(), "s");
  ASSERT_EQ(decoded.errors.size(), 1U) << errors_of(decoded);
  EXPECT_EQ(decoded.errors[0].key_path, "url");
  EXPECT_THAT(decoded.errors[0].message,
              HasSubstr("expected an http(s), tcp, tls, dns or icmp URL"));
}

TEST(SiteJson, UrlInTheValueMustBeTheKey) {
  SiteDecodeResult decoded = decode_site_json(
      "http://127.0.0.1/a", R"({"url":"http://127.0.0.1/b"})", fleet_defaults(), "s");
  ASSERT_EQ(decoded.errors.size(), 1U);
  EXPECT_EQ(decoded.errors[0].key_path, "url");
}

TEST(SiteJson, NotJsonNotAnObjectAndDeepNestingAreErrorsNotCrashes) {
  for (const std::string& value :
       {std::string("{"), std::string("[1,2]"), std::string("\"text\""), std::string(""),
        std::string(100000, '['), std::string("{\"headers\":") + std::string(50, '{')}) {
    SiteDecodeResult decoded = decode_site_json("http://127.0.0.1/a", value, fleet_defaults(), "s");
    EXPECT_FALSE(decoded.site) << value.substr(0, 20);
    EXPECT_FALSE(decoded.errors.empty());
  }
}

TEST(SiteJson, NoEnvironmentInterpolationFromATopicValue) {
  // A value is JSON: a YAML tag is not JSON, so it cannot ask for the producer's variables.
  SiteDecodeResult decoded = decode_site_json(
      "http://127.0.0.1/a", R"({"headers":{"X-Leak":!ENV "${HOME}"}})", fleet_defaults(), "s");
  EXPECT_FALSE(decoded.site);
  SiteDecodeResult literal = decode_site_json(
      "http://127.0.0.1/a", R"({"headers":{"X-Leak":"${HOME}"}})", fleet_defaults(), "s");
  ASSERT_TRUE(literal.site) << errors_of(literal);
  EXPECT_EQ(literal.site->headers.at(0).second, "${HOME}");
}

TEST(SiteJson, EncodeThenDecodeGivesEverySettingBack) {
  SiteConfig site;
  site.url = "https://127.0.0.1:8443/all";
  site.polling_interval = std::chrono::seconds(11);
  site.destination_topic = "t1";
  site.method = "POST";
  site.headers = {{"X-A", "1"}, {"Authorization", "Bearer x"}};
  site.basic_auth = BasicAuth{"u", "p"};
  site.timeout = std::chrono::milliseconds(1234);
  site.follow_redirects = true;
  site.max_redirects = 9;
  site.redirect_deny_loopback = true;
  site.redirect_deny_private = true;
  site.max_body_bytes = 4096;
  site.expected_status = {{200, 204}, {418, 418}};
  site.max_response_time = std::chrono::milliseconds(800);
  site.min_cert_days = 14;
  site.regex = "a+";
  site.regex_absent = "error";
  site.headers_match = {{"Content-Type", "json"}};
  site.min_body_bytes = 10;
  site.down_after = 3;
  site.up_after = 2;
  site.events_topic = "ev";
  site.retries = 4;
  site.retry_delay = std::chrono::milliseconds(250);
  site.max_concurrent_per_host = 7;
  site.ip_version = IpVersion::kV4;
  site.proxy = "socks5h://u:p@127.0.0.1:1080";
  site.no_proxy = "a.test,10.0.0.1";
  site.tls.server_name = "example.test";
  site.tls.insecure_skip_verify = true;
  site.tls.min_version = 12;
  SiteDecodeResult decoded =
      decode_site_json(site.url, encode_site_json(site), fleet_defaults(), "s");
  ASSERT_TRUE(decoded.site) << errors_of(decoded);
  EXPECT_EQ(*decoded.site, site) << encode_site_json(site);
}

// A tcp or dns site travels through the sites topic too: its type's keys (send, expect,
// expected) are written, and no http key (method, headers...), which its reader would refuse.
TEST(SiteJson, SitesOfOtherCheckTypesRoundTripWithOnlyTheirKeys) {
  for (const auto& [url, value] : std::vector<std::pair<std::string, std::string>>{
           {"tcp://127.0.0.1:6379", R"({"send": "PING\r\n", "expect": "^\\+PONG"})"},
           {"tls://127.0.0.1:8443", R"({"min_cert_days": 10, "tls": {"server_name": "a.test"}})"},
           {"dns://127.0.0.1:5353/a.test?type=A", R"({"expected": ["10.0.0.1", "10.0.0.2"]})"},
           {"dns://127.0.0.1:5353/a.test?type=TXT", R"({"expected": "^v=spf1"})"}}) {
    SiteDecodeResult first = decode_site_json(url, value, fleet_defaults(), "first");
    ASSERT_TRUE(first.site) << url << ": " << errors_of(first);
    const std::string encoded = encode_site_json(*first.site);
    EXPECT_THAT(encoded, ::testing::Not(HasSubstr("\"method\""))) << encoded;
    SiteDecodeResult again = decode_site_json(url, encoded, fleet_defaults(), "again");
    ASSERT_TRUE(again.site) << url << ": " << errors_of(again) << encoded;
    EXPECT_EQ(*again.site, *first.site) << encoded;
  }
}

TEST(SiteJson, EncodedNoneValuesOverrideDefaults) {
  ProducerConfig producer = fleet_defaults();
  producer.site_defaults.regex = "from-defaults";
  SiteConfig site = fleet_defaults().site_defaults;
  site.url = "http://127.0.0.1/none";
  site.events_topic = "checks.events";
  SiteDecodeResult decoded = decode_site_json(site.url, encode_site_json(site), producer, "s");
  ASSERT_TRUE(decoded.site) << errors_of(decoded);
  EXPECT_FALSE(decoded.site->regex);
}

}  // namespace
}  // namespace hc

namespace hc {
namespace {

// What `hc sites add` and PUT /api/v1/sites/{url} publish: the settings given, "url" first,
// validated as a websites entry.
TEST(SiteValue, UrlComesFirstAndTheSettingsAreKeptAsGiven) {
  const SiteValue prepared = prepare_site_value("http://127.0.0.1:8080/a",
                                                R"({"regex":"ok","polling_interval_in_seconds":5})",
                                                fleet_defaults(), "request body");
  ASSERT_TRUE(prepared.value);
  EXPECT_EQ(*prepared.value,
            R"({"url":"http://127.0.0.1:8080/a","regex":"ok","polling_interval_in_seconds":5})");
}

TEST(SiteValue, RefusalsNameTheKey) {
  const SiteValue bad_interval = prepare_site_value(
      "http://127.0.0.1:8080/a", R"({"polling_interval_in_seconds":0})", fleet_defaults(), "body");
  EXPECT_FALSE(bad_interval.value);
  ASSERT_FALSE(bad_interval.errors.empty());
  EXPECT_EQ(bad_interval.errors.front().key_path, "polling_interval_in_seconds");

  const SiteValue other_url = prepare_site_value(
      "http://127.0.0.1:8080/a", R"({"url":"http://127.0.0.1:8080/b"})", fleet_defaults(), "body");
  ASSERT_FALSE(other_url.errors.empty());
  EXPECT_EQ(other_url.errors.front().key_path, "url");

  const SiteValue not_object =
      prepare_site_value("http://127.0.0.1:8080/a", "[1]", fleet_defaults(), "body");
  ASSERT_FALSE(not_object.errors.empty());
  EXPECT_THAT(not_object.errors.front().message, HasSubstr("expected a JSON object"));

  const SiteValue bad_url = prepare_site_value("ftp://127.0.0.1/", "{}", fleet_defaults(), "body");
  ASSERT_FALSE(bad_url.errors.empty());
  EXPECT_EQ(bad_url.errors.front().key_path, "url");
}

TEST(SiteListing, SortedByUrlPasswordRedactedInvalidFlagged) {
  SiteSet sites;
  sites.apply(0, 1, "http://127.0.0.1/b",
              R"({"url":"http://127.0.0.1/b","basic_auth":{"username":"u","password":"s3cret"}})");
  sites.apply(0, 2, "http://127.0.0.1/a", R"({"polling_interval_in_seconds":0})");
  const std::string listed = list_sites_json(sites, fleet_defaults(), "hc.sites", -1);
  EXPECT_EQ(listed.find("s3cret"), std::string::npos) << listed;
  EXPECT_LT(listed.find("http://127.0.0.1/a"), listed.find("http://127.0.0.1/b")) << listed;
  EXPECT_THAT(listed, HasSubstr(R"("invalid":"hc.sites[0]@2: polling_interval_in_seconds)"));
  EXPECT_THAT(listed, HasSubstr(R"("password":"REDACTED")"));

  const auto one = listed_site_json(sites, "http://127.0.0.1/b", fleet_defaults(), "hc.sites");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one,
            R"({"url":"http://127.0.0.1/b","basic_auth":{"username":"u","password":"REDACTED"}})");
  EXPECT_FALSE(listed_site_json(sites, "http://127.0.0.1/c", fleet_defaults(), "hc.sites"));
}

TEST(SiteListing, AProxysUserInformationIsNeverShown) {
  SiteSet sites;
  sites.apply(0, 1, "http://127.0.0.1/p",
              R"({"url":"http://127.0.0.1/p","proxy":"http://u:pr0xy-s3cret@127.0.0.1:3128"})");
  const std::string listed = list_sites_json(sites, fleet_defaults(), "hc.sites", -1);
  EXPECT_EQ(listed.find("pr0xy-s3cret"), std::string::npos) << listed;
  EXPECT_THAT(listed, HasSubstr(R"("proxy":"http://***@127.0.0.1:3128")"));
  EXPECT_THAT(listed, ::testing::Not(HasSubstr("invalid"))) << listed;
}

}  // namespace
}  // namespace hc
