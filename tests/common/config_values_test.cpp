// What a valid config turns into: defaults applied and overridden per site, consumer
// routes with their dead-letter topics, and the one-line summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_helpers.h"
#include "hc/common/url_redaction.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr std::string_view kProducer =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  max_in_flight: 7\n"
    "  check_threads: 3\n"
    "  max_queued_messages: 1234\n"
    "  shutdown_grace_ms: 2500\n"
    "  defaults:\n"
    "    polling_interval_in_seconds: 15\n"
    "    timeout_ms: 2500\n"
    "    destination_topic: healthcheck\n"
    "    method: get\n"
    "    headers: {User-Agent: hc-test, Accept: text/html}\n"
    "    follow_redirects: true\n"
    "    max_redirects: 3\n"
    "    expected_status: 200\n"
    "    max_body_bytes: 4096\n"
    "  websites:\n"
    "    - url: http://127.0.0.1:8089/inherits\n"
    "    - url: https://127.0.0.1:8443/overrides\n"
    "      polling_interval_in_seconds: 2\n"
    "      timeout_ms: 900\n"
    "      destination_topic: other.topic\n"
    "      method: HEAD\n"
    "      headers: {user-agent: special, X-Extra: \"1\"}\n"
    "      follow_redirects: no\n"
    "      max_redirects: 0\n"
    "      expected_status: [200, 204, 301]\n"
    "      max_body_bytes: 1\n";

TEST(ConfigValues, SiteWithoutOwnKeysTakesEveryDefault) {
  auto result = parse(kProducer);
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const ProducerConfig& producer = *result.config->producer;
  EXPECT_EQ(producer.max_in_flight, 7u);
  EXPECT_EQ(producer.check_threads, 3u);
  EXPECT_EQ(producer.max_queued_messages, 1234u);
  EXPECT_EQ(producer.shutdown_grace, std::chrono::milliseconds(2500));
  const SiteConfig& site = producer.websites.at(0);
  EXPECT_EQ(site.url, "http://127.0.0.1:8089/inherits");
  EXPECT_EQ(site.polling_interval, std::chrono::seconds(15));
  EXPECT_EQ(site.timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(site.destination_topic, "healthcheck");
  EXPECT_EQ(site.method, "GET");
  EXPECT_THAT(site.headers,
              ElementsAre(Pair("User-Agent", "hc-test"), Pair("Accept", "text/html")));
  EXPECT_TRUE(site.follow_redirects);
  EXPECT_EQ(site.max_redirects, 3);
  EXPECT_THAT(site.expected_status, ElementsAre(StatusRange{200, 200}));
  EXPECT_EQ(site.max_body_bytes, 4096u);
  EXPECT_FALSE(site.regex.has_value());
}

TEST(ConfigValues, SiteKeysOverrideDefaultsAndHeadersMergeByName) {
  auto result = parse(kProducer);
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites.at(1);
  EXPECT_EQ(site.polling_interval, std::chrono::seconds(2));
  EXPECT_EQ(site.timeout, std::chrono::milliseconds(900));
  EXPECT_EQ(site.destination_topic, "other.topic");
  EXPECT_EQ(site.method, "HEAD");
  // Header names compare case-insensitively: the site's user-agent replaces the default.
  EXPECT_THAT(site.headers, ElementsAre(Pair("User-Agent", "special"), Pair("Accept", "text/html"),
                                        Pair("X-Extra", "1")));
  EXPECT_FALSE(site.follow_redirects);
  EXPECT_EQ(site.max_redirects, 0);
  EXPECT_THAT(site.expected_status,
              ElementsAre(StatusRange{200, 200}, StatusRange{204, 204}, StatusRange{301, 301}));
  EXPECT_EQ(site.max_body_bytes, 1u);
}

// The most a site may match (58 headers, names of 249 bytes): its failed conditions still fit
// the message's bounds, so the consumer stores them.
TEST(ConfigValues, AcceptsHeadersToMatchUpToTheMessageBounds) {
  std::string headers = std::string(249, 'N') + ": x";
  for (int i = 1; i < 58; ++i) headers += ", H" + std::to_string(i) + ": x";
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: t\n"
      "  websites:\n"
      "    - url: https://127.0.0.1:8443/\n"
      "      headers_match: {" +
      headers + "}\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_EQ(result.config->producer->websites.at(0).headers_match.size(), 58u);
}

TEST(ConfigValues, ConditionsComeFromDefaultsAndSitesOverrideThem) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: t\n"
      "    expected_status: [200-299, 304]\n"
      "    max_response_time_ms: 800\n"
      "    min_cert_days: 14\n"
      "    regex_absent: \"(?i)maintenance\"\n"
      "    headers_match: {Content-Type: \"^text/html\", X-Version: \"2\"}\n"
      "    min_body_bytes: 100\n"
      "  websites:\n"
      "    - url: https://127.0.0.1:8443/inherits\n"
      "    - url: https://127.0.0.1:8443/overrides\n"
      "      expected_status: 418\n"
      "      regex: ok\n"
      "      headers_match: {content-type: json}\n"
      "      min_cert_days: 0\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& inherits = result.config->producer->websites.at(0);
  EXPECT_THAT(inherits.expected_status, ElementsAre(StatusRange{200, 299}, StatusRange{304, 304}));
  EXPECT_EQ(inherits.max_response_time, std::chrono::milliseconds(800));
  EXPECT_EQ(inherits.min_cert_days, 14);
  EXPECT_EQ(inherits.regex_absent, "(?i)maintenance");
  EXPECT_FALSE(inherits.regex.has_value());
  EXPECT_THAT(inherits.headers_match,
              ElementsAre(Pair("Content-Type", "^text/html"), Pair("X-Version", "2")));
  EXPECT_EQ(inherits.min_body_bytes, 100);

  const SiteConfig& overrides = result.config->producer->websites.at(1);
  EXPECT_THAT(overrides.expected_status, ElementsAre(StatusRange{418, 418}));
  EXPECT_EQ(overrides.regex, "ok");
  EXPECT_EQ(overrides.min_cert_days, 0);
  // Header names compare case-insensitively: the site's pattern replaces the default's.
  EXPECT_THAT(overrides.headers_match,
              ElementsAre(Pair("Content-Type", "json"), Pair("X-Version", "2")));
}

TEST(ConfigValues, BasicAuthAndRedactedQueryParams) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  redact_query_params: [auth, session]\n"
      "  defaults: {destination_topic: t, basic_auth: {username: probe, password: s3cret}}\n"
      "  websites:\n"
      "    - url: https://127.0.0.1:8443/inherits\n"
      "    - url: https://127.0.0.1:8443/own\n"
      "      basic_auth: {username: other, password: \"p@ss:w/rd%\"}\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const ProducerConfig& producer = *result.config->producer;
  EXPECT_THAT(producer.redact_query_params, ElementsAre("auth", "session"));
  EXPECT_EQ(producer.websites.at(0).basic_auth, (BasicAuth{"probe", "s3cret"}));
  EXPECT_EQ(producer.websites.at(1).basic_auth, (BasicAuth{"other", "p@ss:w/rd%"}));
}

TEST(ConfigValues, RedirectDenyComesFromDefaultsAndASiteReplacesIt) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults: {destination_topic: t, follow_redirects: true, redirect_deny: [private]}\n"
      "  websites:\n"
      "    - url: https://127.0.0.1:8443/inherits\n"
      "    - url: https://127.0.0.1:8443/own\n"
      "      redirect_deny: [loopback, private]\n"
      "    - url: https://127.0.0.1:8443/none\n"
      "      redirect_deny: []\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const auto& sites = result.config->producer->websites;
  EXPECT_FALSE(sites.at(0).redirect_deny_loopback);
  EXPECT_TRUE(sites.at(0).redirect_deny_private);
  EXPECT_TRUE(sites.at(1).redirect_deny_loopback);
  EXPECT_TRUE(sites.at(1).redirect_deny_private);
  EXPECT_FALSE(sites.at(2).redirect_deny_loopback || sites.at(2).redirect_deny_private);
  auto wrong = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  websites: [{url: \"http://127.0.0.1/\", destination_topic: t,"
      " redirect_deny: [link-local]}]\n");
  EXPECT_THAT(all_errors(wrong), HasSubstr("expected one of loopback, private"));
}

TEST(ConfigValues, RetriesAndTlsComeFromDefaultsAndSitesOverrideThemKeyByKey) {
  const std::string pem = (test::source_dir() / "README.md").string();  // any readable file
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: t\n"
      "    retries: 2\n"
      "    retry_delay_ms: 250\n"
      "    tls: {ca_file: \"" +
      pem +
      "\", min_version: \"1.2\"}\n"
      "  websites:\n"
      "    - url: https://127.0.0.1:8443/inherits\n"
      "    - url: https://127.0.0.1:8443/overrides\n"
      "      retries: 0\n"
      "      tls: {cert_file: \"" +
      pem + "\", key_file: \"" + pem +
      "\",\n"
      "            server_name: internal.example, insecure_skip_verify: true, min_version: 1.3}\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& inherits = result.config->producer->websites.at(0);
  EXPECT_EQ(inherits.retries, 2);
  EXPECT_EQ(inherits.retry_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(inherits.tls, (TlsSettings{pem, "", "", "", false, 12}));
  const SiteConfig& overrides = result.config->producer->websites.at(1);
  EXPECT_EQ(overrides.retries, 0);
  EXPECT_EQ(overrides.retry_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(overrides.tls, (TlsSettings{pem, pem, pem, "internal.example", true, 13}));
}

TEST(ConfigValues, BuiltInDefaultsWhenNothingIsSet) {
  auto result = parse(
      "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
      "  websites: [{url: \"http://127.0.0.1/\", destination_topic: t, regex: \"ok\"}]\n"
      "healthcheck-consumer-config:\n  bootstrap_servers: [\"127.0.0.1:9092\"]\n"
      "  topics: [{source_topic: t, connection_uri: \"host=/tmp dbname=x\", table_name: t}]\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites.at(0);
  EXPECT_EQ(site.polling_interval, std::chrono::seconds(30));
  EXPECT_EQ(site.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(site.method, "GET");
  EXPECT_TRUE(site.expected_status.empty());
  EXPECT_FALSE(site.basic_auth.has_value());
  EXPECT_EQ(site.regex, "ok");
  EXPECT_EQ(site.retries, 0);
  EXPECT_EQ(site.retry_delay, std::chrono::milliseconds(1000));
  EXPECT_EQ(site.tls, TlsSettings{});
  EXPECT_EQ(result.config->producer->redact_query_params, default_redacted_query_params());
  EXPECT_EQ(result.config->producer->kafka.security_protocol, SecurityProtocol::kPlaintext);
  const ConsumerConfig& consumer = *result.config->consumer;
  EXPECT_EQ(consumer.group_id, "hc-consumer");
  EXPECT_EQ(consumer.auto_offset_reset, "earliest");
  EXPECT_EQ(consumer.batch_max_rows, 5000u);
  EXPECT_EQ(consumer.session_timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(consumer.connections_per_database, 2u);
  EXPECT_EQ(consumer.session.statement_timeout, std::chrono::milliseconds(60000));
  EXPECT_EQ(consumer.session.lock_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(consumer.session.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(consumer.session.keepalives_idle, std::chrono::seconds(30));
  EXPECT_EQ(consumer.session.keepalives_interval, std::chrono::seconds(10));
  EXPECT_EQ(consumer.session.keepalives_count, 3);
  EXPECT_EQ(consumer.writer_busy_unhealthy_after, std::chrono::milliseconds(10000));
  EXPECT_EQ(consumer.topics.at(0).dead_letter_topic, "t.dlq");
  EXPECT_EQ(consumer.topics.at(0).rollup_retention_days, 400);
}

constexpr std::string_view kConsumer =
    "healthcheck-consumer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  group_id: readers\n"
    "  auto_offset_reset: latest\n"
    "  batch_max_rows: 100\n"
    "  batch_max_wait_ms: 50\n"
    "  max_message_bytes: 2048\n"
    "  session_timeout_ms: 6000\n"
    "  connections_per_database: 3\n"
    "  statement_timeout_ms: 0\n"
    "  lock_timeout_ms: 2500\n"
    "  connect_timeout_seconds: 4\n"
    "  tcp_keepalives_idle_seconds: 20\n"
    "  tcp_keepalives_interval_seconds: 5\n"
    "  tcp_keepalives_count: 6\n"
    "  writer_busy_unhealthy_after_ms: 1500\n"
    "  topics:\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: postgresql://postgres@127.0.0.1:5432/a\n"
    "      table_name: healthcheck\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: postgresql://postgres@127.0.0.1:5432/b\n"
    "      table_name: Archive_2026\n"
    "      dead_letter_topic: poison\n"
    "      rollup_retention_days: 0\n";

TEST(ConfigValues, ConsumerRoutesOneTopicIntoTwoDatabases) {
  auto result = parse(kConsumer);
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const ConsumerConfig& consumer = *result.config->consumer;
  EXPECT_EQ(consumer.group_id, "readers");
  EXPECT_EQ(consumer.auto_offset_reset, "latest");
  EXPECT_EQ(consumer.batch_max_rows, 100u);
  EXPECT_EQ(consumer.batch_max_wait, std::chrono::milliseconds(50));
  EXPECT_EQ(consumer.max_message_bytes, 2048u);
  EXPECT_EQ(consumer.session_timeout, std::chrono::milliseconds(6000));
  EXPECT_EQ(consumer.connections_per_database, 3u);
  EXPECT_EQ(consumer.session.statement_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(consumer.session.lock_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(consumer.session.connect_timeout, std::chrono::seconds(4));
  EXPECT_EQ(consumer.session.keepalives_idle, std::chrono::seconds(20));
  EXPECT_EQ(consumer.session.keepalives_interval, std::chrono::seconds(5));
  EXPECT_EQ(consumer.session.keepalives_count, 6);
  EXPECT_EQ(consumer.writer_busy_unhealthy_after, std::chrono::milliseconds(1500));
  ASSERT_EQ(consumer.topics.size(), 2u);
  EXPECT_EQ(consumer.topics[0].dead_letter_topic, "healthcheck.dlq");
  EXPECT_EQ(consumer.topics[1].table_name, "Archive_2026");
  EXPECT_EQ(consumer.topics[1].dead_letter_topic, "poison");
  EXPECT_EQ(consumer.topics[0].rollup_retention_days, 400);
  EXPECT_EQ(consumer.topics[1].rollup_retention_days, 0);  // keep forever
  EXPECT_FALSE(result.config->producer.has_value());
}

TEST(ConfigValues, SummaryCountsSitesTopicsTablesAndDatabases) {
  std::string both = std::string(kProducer) + std::string(kConsumer);
  auto result = parse(both);
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_EQ(summarize(*result.config),
            "2 sites, 2 topics (healthcheck, other.topic); consumer group readers: 1 topic -> "
            "2 tables in 2 databases");
  auto consumer_only = parse(kConsumer);
  EXPECT_EQ(summarize(*consumer_only.config),
            "consumer group readers: 1 topic -> 2 tables in 2 databases");
}

TEST(ConfigValues, SafeIdentifiers) {
  EXPECT_TRUE(is_safe_identifier("healthcheck"));
  EXPECT_TRUE(is_safe_identifier("_x9"));
  EXPECT_TRUE(is_safe_identifier(std::string(63, 'a')));
  EXPECT_FALSE(is_safe_identifier(std::string(64, 'a')));
  EXPECT_FALSE(is_safe_identifier(""));
  EXPECT_FALSE(is_safe_identifier("9lives"));
  EXPECT_FALSE(is_safe_identifier("a-b"));
  EXPECT_FALSE(is_safe_identifier("a\"; drop table x; --"));
  EXPECT_FALSE(is_safe_identifier("t\xc3\xa4"));
}

}  // namespace
}  // namespace hc
