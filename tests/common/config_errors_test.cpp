// Every kind of config mistake is reported with its file:line:column, key path and what
// was expected; all mistakes at once, in file order; no input makes the loader throw.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <random>

#include "config_test_helpers.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::HasSubstr;
using ::testing::Not;

// Lines 1-5 of most cases; the case's own text starts at line 6.
constexpr std::string_view kProducerHead =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  defaults:\n"
    "    destination_topic: healthcheck\n"
    "  websites:\n";
// Lines 1-5, then line 6 is the case's own (a key of the one route).
constexpr std::string_view kConsumerHead =
    "healthcheck-consumer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  topics:\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres\n";

// A site at line 6 plus one more key of that site at line 7, column 7.
std::string site_with(std::string_view line7) {
  return std::string(kProducerHead) + "    - url: http://127.0.0.1:8089/fast\n      " +
         std::string(line7) + "\n";
}

// "H0: x, H1: x, ..." : `count` distinct headers to match.
std::string many_headers(int count) {
  std::string entries;
  for (int i = 0; i < count; ++i) entries += (i > 0 ? ", H" : "H") + std::to_string(i) + ": x";
  return entries;
}

struct ErrorCase {
  std::string name;
  std::string yaml;
  int line;
  int column;
  std::string key_path;
  std::string message;  // a substring of the message
};
// gtest prints a parameter in failure messages and in --gtest_list_tests: the case's name,
// not the struct's bytes.
// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
void PrintTo(const ErrorCase& error_case, std::ostream* out) { *out << error_case.name; }

const std::string kSite = "healthcheck-producer-config.websites[0]";

std::vector<ErrorCase> error_cases() {
  return {
      {"UnknownKeySuggestsClosest", site_with("polling_intervall_in_seconds: 5"), 7, 7,
       kSite + ".polling_intervall_in_seconds",
       "unknown key 'polling_intervall_in_seconds'; did you mean 'polling_interval_in_seconds'?"},
      {"UnknownKeyPrefixSuggestsFullKey", site_with("polling_interval: 5"), 7, 7,
       kSite + ".polling_interval", "did you mean 'polling_interval_in_seconds'?"},
      {"UnknownTopLevelSection",
       "healthcheck-producer-confg:\n  bootstrap_servers: 127.0.0.1:9092\n", 1, 1,
       "healthcheck-producer-confg", "did you mean 'healthcheck-producer-config'?"},
      {"WrongTypeQuotesTheValue", site_with("polling_interval_in_seconds: abc"), 7, 36,
       kSite + ".polling_interval_in_seconds", "expected an integer, got 'abc'"},
      {"IntervalBelowOneSecond", site_with("polling_interval_in_seconds: 0"), 7, 36,
       kSite + ".polling_interval_in_seconds", "expected a number of seconds in 1..86400, got 0"},
      {"IntervalAboveOneDay", site_with("polling_interval_in_seconds: 86401"), 7, 36,
       kSite + ".polling_interval_in_seconds",
       "expected a number of seconds in 1..86400, got 86401"},
      {"TimeoutAboveFiveMinutes", site_with("timeout_ms: 300001"), 7, 19, kSite + ".timeout_ms",
       "expected a number of milliseconds in 1..300000, got 300001"},
      {"RegexRejectedByRe2GivesRe2Message", site_with("regex: \"(abc\""), 7, 14, kSite + ".regex",
       "regex does not compile under RE2: missing ): (abc"},
      {"RegexWithHeadMethodHasNoBodyToSearch", site_with("method: HEAD\n      regex: \"ok\""), 8,
       14, kSite + ".regex", "regex needs a response body, and method HEAD has none"},
      {"RegexAbsentWithHeadMethodHasNoBodyToSearch",
       site_with("method: HEAD\n      regex_absent: \"error\""), 8, 21, kSite + ".regex_absent",
       "regex_absent needs a response body, and method HEAD has none"},
      {"StatusRangeBackwards", site_with("expected_status: 299-200"), 7, 24,
       kSite + ".expected_status",
       "expected a status range FIRST-LAST within 100..599 (e.g. 200-299), got '299-200'"},
      {"StatusRangeNotNumbers", site_with("expected_status: [200, 2xx-3xx]"), 7, 30,
       kSite + ".expected_status[1]",
       "expected a status range FIRST-LAST within 100..599 (e.g. 200-299), got '2xx-3xx'"},
      {"StatusRangeBeyondHttp", site_with("expected_status: 500-600"), 7, 24,
       kSite + ".expected_status",
       "expected a status range FIRST-LAST within 100..599 (e.g. 200-299), got '500-600'"},
      {"ResponseTimeZero", site_with("max_response_time_ms: 0"), 7, 29,
       kSite + ".max_response_time_ms", "expected a number of milliseconds in 1..300000, got 0"},
      {"CertDaysNegative", site_with("min_cert_days: -1"), 7, 22, kSite + ".min_cert_days",
       "expected a number of days in 0..3650, got -1"},
      {"HeaderMatchBadName", site_with("headers_match: {\"Content Type\": json}"), 7, 39,
       kSite + ".headers_match.Content Type",
       "expected an HTTP header name (letters, digits, !#$%&'*+-.^_`|~), got 'Content Type'"},
      {"HeaderMatchBadPattern", site_with("headers_match: {Server: \"(nginx\"}"), 7, 31,
       kSite + ".headers_match.Server", "regex does not compile under RE2: missing ): (nginx"},
      // A failed "header:<Name>" condition must fit the message's 256-byte bound.
      {"HeaderMatchNameTooLong", site_with("headers_match: {" + std::string(250, 'X') + ": x}"), 7,
       275, kSite + ".headers_match." + std::string(250, 'X'),
       "header name is 250 bytes; at most 249"},
      {"TooManyHeadersToMatch", site_with("headers_match: {" + many_headers(59) + "}"), 7, 22,
       kSite + ".headers_match", "59 headers to match (with the defaults'); at most 58"},
      {"BasicAuthWithoutPassword", site_with("basic_auth: {username: probe}"), 7, 19,
       kSite + ".basic_auth.password", "missing required key 'password'"},
      {"BasicAuthUserWithColon", site_with("basic_auth: {username: \"a:b\", password: x}"), 7, 30,
       kSite + ".basic_auth.username", "a basic auth user name must not contain ':' (RFC 7617)"},
      {"RetriesAboveFive", site_with("retries: 6"), 7, 16, kSite + ".retries",
       "expected an integer in 0..5, got 6"},
      {"RetryDelayNegative", site_with("retry_delay_ms: -5"), 7, 23, kSite + ".retry_delay_ms",
       "expected a number of milliseconds in 0..60000, got -5"},
      {"TlsUnknownKey", site_with("tls: {ca_path: x}"), 7, 13, kSite + ".tls.ca_path",
       "unknown key 'ca_path' (expected one of: ca_file, cert_file, key_file, server_name"},
      {"TlsMissingCaFile", site_with("tls: {ca_file: /nonexistent/hc-test/ca.pem}"), 7, 22,
       kSite + ".tls.ca_file",
       "expected a readable file, but '/nonexistent/hc-test/ca.pem' does not exist"},
      {"TlsCaFileIsADirectory", site_with("tls: {ca_file: /tmp}"), 7, 22, kSite + ".tls.ca_file",
       "expected a readable file, but '/tmp' does not exist, is not a file"},
      {"TlsCertWithoutKey",
       site_with("tls: {cert_file: " + (test::source_dir() / "README.md").string() + "}"), 7, 12,
       kSite + ".tls", "tls.cert_file and tls.key_file go together"},
      {"TlsMinVersionUnknown", site_with("tls: {min_version: \"1.1\"}"), 7, 26,
       kSite + ".tls.min_version", "expected one of 1.2, 1.3, got '1.1'"},
      {"TlsServerNameNotADnsName", site_with("tls: {server_name: \"a/b\"}"), 7, 26,
       kSite + ".tls.server_name", "expected a DNS name (letters, digits, '-' and '.'), got 'a/b'"},
      {"StatusOutsideHttpRange", site_with("expected_status: [200, 700]"), 7, 30,
       kSite + ".expected_status[1]", "expected an integer in 100..599, got 700"},
      {"InvalidTopicName", site_with("destination_topic: bad topic"), 7, 26,
       kSite + ".destination_topic", "expected a Kafka topic name"},
      {"BooleanExpected", site_with("follow_redirects: maybe"), 7, 25, kSite + ".follow_redirects",
       "expected true or false, got 'maybe'"},
      {"UnsetVariableWithoutDefault", site_with("regex: !ENV \"${HC_TEST_UNSET}\""), 7, 14,
       kSite + ".regex", "environment variable HC_TEST_UNSET is not set"},
      {"UnsupportedTag", site_with("regex: !REGEX \"x\""), 7, 14, kSite + ".regex",
       "unsupported tag '!REGEX'"},
      {"UrlWithUnsupportedScheme", std::string(kProducerHead) + "    - url: ftp://127.0.0.1/\n", 6,
       12, kSite + ".url",
       "expected an http(s), tcp, tls, dns or icmp URL, got 'ftp://127.0.0.1/': unsupported scheme "
       "'ftp'"},
      {"UrlWithoutScheme", std::string(kProducerHead) + "    - url: 127.0.0.1/fast\n", 6, 12,
       kSite + ".url", "missing scheme"},
      {"UrlWithBadHost", std::string(kProducerHead) + "    - url: http://exa mple.com/\n", 6, 12,
       kSite + ".url", "expected an http(s), tcp, tls, dns or icmp URL"},
      {"DuplicateUrl",
       std::string(kProducerHead) +
           "    - url: http://127.0.0.1:8089/fast\n    - url: http://127.0.0.1:8089/fast\n",
       7, 12, "healthcheck-producer-config.websites[1].url",
       "duplicate url: healthcheck-producer-config.websites[0] (line 6) checks it already"},
      {"NoWebsitesIsNothingToCheck",
       std::string(kProducerHead.substr(0, kProducerHead.size() - 1)) + " []\n", 5, 13,
       "healthcheck-producer-config.websites", "expected at least one site (nothing to check)"},
      {"SiteWithoutTopicAndNoDefault",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n  websites:\n"
       "    - url: http://127.0.0.1/\n",
       4, 7, kSite + ".destination_topic",
       "missing required key 'destination_topic' (and defaults has none)"},
      {"ListWhereMapExpected",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n  defaults: [1, 2]\n", 3,
       13, "healthcheck-producer-config.defaults",
       "expected a map of per-site defaults, got a list"},
      {"MapWhereListExpected",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  websites: {url: http://127.0.0.1/}\n",
       3, 13, "healthcheck-producer-config.websites", "expected a list of sites, got a map"},
      {"DuplicateKey",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  bootstrap_servers: 127.0.0.1:9093\n",
       3, 3, "healthcheck-producer-config.bootstrap_servers",
       "duplicate key (first given at line 2)"},
      {"BootstrapServerWithoutPort",
       "healthcheck-producer-config:\n  bootstrap_servers: [127.0.0.1:9092, kafka]\n", 2, 39,
       "healthcheck-producer-config.bootstrap_servers[1]",
       "expected host:port with a port in 1..65535, got 'kafka'"},
      {"SaslWithoutPassword",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  security_protocol: SASL_SSL\n  sasl_username: hc\n",
       3, 22, "healthcheck-producer-config.security_protocol",
       "SASL_SSL requires a non-empty sasl_username and sasl_password"},
      {"UnknownSecurityProtocol",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  security_protocol: TLS\n",
       3, 22, "healthcheck-producer-config.security_protocol",
       "expected one of PLAINTEXT, SSL, SASL_SSL, SASL_PLAINTEXT, got 'TLS'"},
      {"MissingCaFile",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  security_protocol: SSL\n  ssl_cafile: /nonexistent/hc-test/ca.pem\n",
       4, 15, "healthcheck-producer-config.ssl_cafile",
       "expected a readable file, but '/nonexistent/hc-test/ca.pem' does not exist"},
      {"TableNameNotASafeIdentifier",
       std::string(kConsumerHead) + "      table_name: \"x; drop\"\n", 6, 19,
       "healthcheck-consumer-config.topics[0].table_name",
       "expected a table name of letters, digits and _"},
      {"RouteKindChoice", std::string(kConsumerHead) + "      table_name: t\n      kind: event\n",
       7, 13, "healthcheck-consumer-config.topics[0].kind",
       "expected one of measurements, events, got 'event'"},
      {"OneTopicReadAsTwoKinds",
       std::string(kConsumerHead) + "      table_name: t\n    - source_topic: healthcheck\n" +
           "      kind: events\n" +
           "      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres\n" +
           "      table_name: e\n",
       7, 7, "healthcheck-consumer-config.topics[1].kind",
       "topic 'healthcheck' is read as another kind by an earlier route"},
      {"OneTableWrittenAsTwoKinds",
       std::string(kConsumerHead) +
           "      table_name: t\n    - source_topic: healthcheck.events\n" +
           "      kind: events\n" +
           "      connection_uri: postgresql://postgres@127.0.0.1:5432/postgres\n" +
           "      table_name: t\n",
       7, 7, "healthcheck-consumer-config.topics[1].kind",
       "table 't' of this database is written as another kind by an earlier route"},
      {"RollupRetentionNegative",
       std::string(kConsumerHead) + "      rollup_retention_days: -1\n      table_name: t\n", 6, 30,
       "healthcheck-consumer-config.topics[0].rollup_retention_days",
       "expected a number of days in 0..36500, got -1"},
      {"OffsetResetChoice",
       "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  auto_offset_reset: newest\n",
       3, 22, "healthcheck-consumer-config.auto_offset_reset",
       "expected one of earliest, latest, got 'newest'"},
      {"CheckThreadsOutOfRange",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  check_threads: 65\n",
       3, 18, "healthcheck-producer-config.check_threads", "1..64"},
      {"ConnectionsPerDatabaseOutOfRange",
       "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  connections_per_database: 0\n",
       3, 29, "healthcheck-consumer-config.connections_per_database", "1..16"},
      {"ConnectTimeoutBelowWhatLibpqHonours",
       "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  connect_timeout_seconds: 1\n",
       3, 28, "healthcheck-consumer-config.connect_timeout_seconds", "seconds in 2..600"},
      {"LockTimeoutNegative",
       "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n"
       "  lock_timeout_ms: -1\n",
       3, 20, "healthcheck-consumer-config.lock_timeout_ms", "milliseconds in 0..86400000, got -1"},
      {"YamlSyntaxError",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n  websites: [\n", 4, 1,
       "", "YAML syntax error: end of sequence flow not found; is a '[' or '{' above not closed?"},
      // A site's second key one column left of its first: yaml-cpp says only "end of
      // sequence not found"; the message points at the indentation.
      {"SiteKeyIndentedOneColumnShort",
       std::string(kProducerHead) + "    - url: http://127.0.0.1/\n     regex: ok\n", 7, 6, "",
       "YAML syntax error: end of sequence not found; check the indentation at and above this "
       "line"},
      // A key of the section one column short: "end of map not found" plus the same hint.
      {"SectionKeyIndentedOneColumnShort",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n websites: []\n", 3, 2,
       "", "YAML syntax error: end of map not found; check the indentation"},
      // A key one column too far right: "illegal map value" plus the hint.
      {"KeyIndentedOneColumnTooFar",
       "healthcheck-producer-config:\n  bootstrap_servers: 127.0.0.1:9092\n   websites: []\n", 3,
       12, "", "YAML syntax error: illegal map value; check the indentation"},
  };
}

class ConfigErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorTest, ReportsPositionKeyPathAndExpectation) {
  const ErrorCase& expected = GetParam();
  ConfigLoadResult result = parse(expected.yaml);
  ASSERT_FALSE(result.ok());
  EXPECT_FALSE(result.config.has_value());
  // The case's mistake must be among the errors (a case may trigger other ones too, e.g. a
  // section without websites), with exactly this position and key path.
  const ConfigError* found = nullptr;
  for (const ConfigError& error : result.errors) {
    if (error.message.find(expected.message) != std::string::npos) found = &error;
  }
  ASSERT_NE(found, nullptr) << "no error says '" << expected.message << "' in:\n"
                            << all_errors(result);
  EXPECT_EQ(found->file, "test.yaml");
  EXPECT_EQ(found->line, expected.line) << found->to_string();
  EXPECT_EQ(found->column, expected.column) << found->to_string();
  EXPECT_EQ(found->key_path, expected.key_path) << found->to_string();
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ConfigErrorTest, ::testing::ValuesIn(error_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ConfigErrors, UnknownKeyFarFromEveryKnownOneListsTheValidKeysInstead) {
  ConfigLoadResult result = parse(site_with("colour: red"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_THAT(result.errors[0].message, Not(HasSubstr("did you mean")));
  EXPECT_THAT(result.errors[0].message, HasSubstr("expected one of: url, regex,"));
}

TEST(ConfigErrors, ToStringIsFileLineColumnKeyPathMessage) {
  ConfigLoadResult result = parse(site_with("timeout_ms: 0"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:7:19: healthcheck-producer-config.websites[0].timeout_ms: expected a "
            "number of milliseconds in 1..300000, got 0");
}

TEST(ConfigErrors, FourMistakesGiveFourErrorsInFileOrder) {
  constexpr std::string_view kYaml =
      "healthcheck-producer-config:\n"           // 1
      "  bootstrap_servers: 127.0.0.1:9092\n"    // 2
      "  defaults:\n"                            // 3
      "    destination_topic: healthcheck\n"     // 4
      "    timeout_ms: fast\n"                   // 5: wrong type
      "  websites:\n"                            // 6
      "    - url: http://127.0.0.1:8089/fast\n"  // 7
      "      polling_interval_in_seconds: 0\n"   // 8: out of range
      "    - url: gopher://127.0.0.1/\n"         // 9: scheme
      "      regex: \"[z-a]\"\n"                 // 10: RE2 rejects
      "    - url: http://127.0.0.1:8089/ok\n";   // 11: fine
  ConfigLoadResult result = parse(kYaml);
  ASSERT_EQ(result.errors.size(), 4u) << all_errors(result);
  EXPECT_EQ(result.errors[0].line, 5);
  EXPECT_THAT(result.errors[0].message, HasSubstr("expected an integer, got 'fast'"));
  EXPECT_EQ(result.errors[1].line, 8);
  EXPECT_THAT(result.errors[1].message, HasSubstr("1..86400"));
  EXPECT_EQ(result.errors[2].line, 9);
  EXPECT_THAT(result.errors[2].message, HasSubstr("unsupported scheme 'gopher'"));
  EXPECT_EQ(result.errors[3].line, 10);
  EXPECT_THAT(result.errors[3].message, HasSubstr("RE2: invalid character class range: z-a"));
}

TEST(ConfigErrors, StorageSettingsOfARouteAreCheckedAndRoutesOfOneTableMustAgree) {
  constexpr std::string_view kYaml =
      "healthcheck-consumer-config:\n"             // 1
      "  bootstrap_servers: 127.0.0.1:9092\n"      // 2
      "  maintenance_interval_seconds: 0\n"        // 3: out of range
      "  topics:\n"                                // 4
      "    - source_topic: a\n"                    // 5
      "      connection_uri: postgresql://h/db\n"  // 6
      "      table_name: t\n"                      // 7
      "      partition_interval: hour\n"           // 8: not a choice
      "    - source_topic: b\n"                    // 9
      "      connection_uri: postgresql://h/db\n"  // 10
      "      table_name: u\n"                      // 11
      "      retention_days: -1\n"                 // 12: out of range
      "    - source_topic: c\n"                    // 13
      "      connection_uri: postgresql://h/db\n"  // 14
      "      table_name: v\n"                      // 15
      "      retention_days: 30\n"                 // 16
      "    - source_topic: d\n"                    // 17: v again, other retention
      "      connection_uri: postgresql://h/db\n"  // 18
      "      table_name: v\n";                     // 19
  ConfigLoadResult result = parse(kYaml);
  ASSERT_EQ(result.errors.size(), 4u) << all_errors(result);
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[0].key_path, "healthcheck-consumer-config.maintenance_interval_seconds");
  EXPECT_EQ(result.errors[1].line, 8);
  EXPECT_EQ(result.errors[1].key_path, "healthcheck-consumer-config.topics[0].partition_interval");
  EXPECT_THAT(result.errors[1].message, HasSubstr("day"));
  EXPECT_EQ(result.errors[2].line, 12);
  EXPECT_THAT(result.errors[2].message, HasSubstr("0..36500"));
  EXPECT_EQ(result.errors[3].line, 17);
  EXPECT_THAT(result.errors[3].message, HasSubstr("must agree"));
}

TEST(ConfigErrors, MissingFileIsAnErrorWithoutPosition) {
  test::TempDir dir;
  auto missing = dir.path() / "nope.yaml";
  ConfigLoadResult result = load_config(missing, test::env_of());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_EQ(result.errors[0].to_string(),
            missing.string() + ": cannot read the config: no such file");
}

TEST(ConfigErrors, NoSectionAtAllIsAnError) {
  ConfigLoadResult result = parse("# only a comment\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("healthcheck-producer-config"));
}

// Inputs a fuzzer would try first: each must give errors, never an exception or a crash.
TEST(ConfigErrors, MalformedDocumentsAreErrorsNotCrashes) {
  const std::vector<std::string> inputs = {
      "",
      "   \n\n",
      "just a scalar",
      "- a list\n- at the top\n",
      "healthcheck-producer-config: 42\n",
      "healthcheck-producer-config:\n  websites:\n    - [1, 2]\n    - ~\n    - {url: [x]}\n",
      "healthcheck-consumer-config:\n  topics: [[], {}, x]\n",
      "? [a, b]\n: c\n",
      "healthcheck-producer-config: !ENV {a: 1}\n",
      // 20 bytes: the literal's 19 and its terminating NUL, garbage too.
      // NOLINTNEXTLINE(bugprone-string-constructor)
      std::string("\x00\xff\xfe\x01garbage\x80\x81: [\"\\q", 20),
      std::string(600, '[') + std::string(600, ']'),
      "\t- tabs\n\tare: not indentation\n",
      "---\n---\n---\n",
      "healthcheck-producer-config: &a\n  x: *a\n",
  };
  for (const std::string& input : inputs) {
    ConfigLoadResult result;
    ASSERT_NO_THROW(result = parse(input)) << input;
    EXPECT_FALSE(result.ok()) << input;
    EXPECT_FALSE(result.errors.empty()) << input;
  }
}

// Random single-byte edits of a valid file: the loader either accepts the result or
// reports positioned errors; it never throws (the seed is fixed, so failures reproduce).
TEST(ConfigErrors, RandomEditsOfAValidFileNeverThrow) {
  const std::string valid = site_with("regex: \"all systems operational\"");
  ASSERT_TRUE(parse(valid).ok());
  std::mt19937 random(20261123);
  for (int round = 0; round < 2000; ++round) {
    std::string mutated = valid;
    int edits = 1 + static_cast<int>(random() % 3);
    for (int edit = 0; edit < edits; ++edit) {
      std::size_t at = random() % mutated.size();
      char byte = static_cast<char>(random() % 256);
      switch (random() % 3) {
        case 0:
          mutated[at] = byte;
          break;
        case 1:
          mutated.insert(at, 1, byte);
          break;
        default:
          mutated.erase(at, 1);
          break;
      }
    }
    ConfigLoadResult result;
    ASSERT_NO_THROW(result = parse(mutated)) << mutated;
    EXPECT_EQ(result.ok(), result.config.has_value());
    for (const ConfigError& error : result.errors) EXPECT_GE(error.line, 0);
  }
}

}  // namespace
}  // namespace hc
