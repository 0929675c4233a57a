// Passwords, secret header values and connection URIs never reach an error message, not
// even when the mistake is on the very line that holds them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_helpers.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Every line holds "hunter2" somewhere, and every line next to one is a mistake.
constexpr std::string_view kLeakyConfig =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  security_protocol: SASL_SSL\n"
    "  sasl_username: hc\n"
    "  sasl_password: hunter2\n"
    "  sasl_pasword: hunter2\n"  // typo: unknown key
    "  defaults: {destination_topic: t}\n"
    "  websites:\n"
    "    - url: \"http://hc:hunter2@exa mple.com/\"\n"  // invalid host, credentials inside
    "    - url: \"https://hc:hunter2@127.0.0.1/\"\n"    // valid, but credentials inside
    "      basic_auth: {username: \"a:hunter2\", password: hunter2}\n"  // ':' in the name
    "      headers:\n"
    "        Authorization: \"Bearer hunter2\\r\\nX: y\"\n"  // header injection
    "      timeout_ms: -1\n"
    "healthcheck-consumer-config:\n"
    "  bootstrap_servers: 127.0.0.1:9092\n"
    "  sasl_password: hunter2\n"  // SASL key without SASL
    "  topics:\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: \"mysql://hc:hunter2@127.0.0.1/x\"\n"  // not a libpq URI
    "      table_name: healthcheck\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: \"postgresql://hc:hunter2@127.0.0.1/x\"\n"
    "      table_name: healthcheck\n"
    "    - source_topic: healthcheck\n"
    "      connection_uri: \"postgresql://hc:hunter2@127.0.0.1/x\"\n"  // duplicate route
    "      table_name: healthcheck\n"
    "      table: oops\n";

TEST(ConfigSecrets, NoErrorMessageRepeatsAPasswordOrConnectionUri) {
  auto result = parse(kLeakyConfig);
  ASSERT_GE(result.errors.size(), 7u) << all_errors(result);
  EXPECT_THAT(all_errors(result), Not(HasSubstr("hunter2")));
  // The mistakes are still explained.
  EXPECT_THAT(all_errors(result), HasSubstr("did you mean 'sasl_password'?"));
  EXPECT_THAT(all_errors(result), HasSubstr("got 'http://***@exa mple.com/'"));
  EXPECT_THAT(all_errors(result),
              HasSubstr("credentials in the URL ('https://***@127.0.0.1/') would be published"));
  EXPECT_THAT(all_errors(result), HasSubstr("put them in basic_auth"));
  EXPECT_THAT(all_errors(result), HasSubstr("must not contain ':'"));
  EXPECT_THAT(all_errors(result), HasSubstr("must not contain CR, LF or NUL"));
  EXPECT_THAT(all_errors(result), HasSubstr("expected a libpq connection URI"));
  EXPECT_THAT(all_errors(result), HasSubstr("duplicate route"));
}

TEST(ConfigSecrets, AnInvalidUrlIsQuotedWithItsSecretQueryValuesRedacted) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  redact_query_params: [session]\n"
      "  defaults: {destination_topic: t}\n"
      "  websites:\n"
      "    - url: \"http://exa mple.com/?Session=hunter2&page=1\"\n");
  EXPECT_THAT(all_errors(result), Not(HasSubstr("hunter2")));
  EXPECT_THAT(all_errors(result), HasSubstr("got 'http://exa mple.com/?Session=REDACTED&page=1'"));
}

TEST(ConfigSecrets, AParameterNamedInEitherSectionIsRedactedByBoth) {
  auto result = parse(
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  redact_query_params: [session]\n"
      "  websites: [{url: \"http://127.0.0.1/\", destination_topic: t}]\n"
      "healthcheck-consumer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  redact_query_params: [ticket]\n"
      "  topics: [{source_topic: t, connection_uri: \"host=/tmp dbname=x\", table_name: t}]\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(result.config->producer->redact_query_params, ElementsAre("session", "ticket"));
  EXPECT_THAT(result.config->consumer->redact_query_params, ElementsAre("session", "ticket"));
}

TEST(ConfigSecrets, SummaryNeverPrintsConnectionUris) {
  auto result = parse(
      "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n  topics:\n"
      "    - {source_topic: t, connection_uri: \"postgresql://u:hunter2@h/x\", table_name: t}\n");
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(summarize(*result.config), Not(HasSubstr("hunter2")));
}

// A password with the characters that break URIs, read from the environment.
constexpr std::string_view kOddPassword = "p%/@:?#x";

std::string consumer_with_uri(std::string_view uri_yaml) {
  return "healthcheck-consumer-config:\n  bootstrap_servers: 127.0.0.1:9092\n  topics:\n"
         "    - source_topic: t\n"
         "      connection_uri: " +
         std::string(uri_yaml) + "\n      table_name: t\n";
}

TEST(ConfigSecrets, APasswordWithUriDelimitersIsAcceptedPercentEncodedOrAsKeywordValue) {
  auto encoded = parse(consumer_with_uri("!ENV \"postgresql://hc:${PW}@127.0.0.1:5432/x\""),
                       test::env_of({{"PW", "p%25%2F%40%3A%3F%23x"}}));
  EXPECT_TRUE(encoded.ok()) << all_errors(encoded);
  auto keyword_value =
      parse(consumer_with_uri("!ENV \"host=127.0.0.1 user=hc password='${PW}' dbname=x\""),
            test::env_of({{"PW", std::string(kOddPassword)}}));
  EXPECT_TRUE(keyword_value.ok()) << all_errors(keyword_value);
  // ':' '?' '#' need no encoding in the password of a URI (libpq reads up to the '@').
  auto plain = parse(consumer_with_uri("!ENV \"postgresql://hc:${PW}@127.0.0.1:5432/x\""),
                     test::env_of({{"PW", "a:b?c#d"}}));
  EXPECT_TRUE(plain.ok()) << all_errors(plain);
}

TEST(ConfigSecrets, ARawPasswordThatLibpqWouldMisreadIsRefusedWithoutQuotingIt) {
  for (const std::string& password : {std::string(kOddPassword), std::string("pa/ss"),
                                      std::string("pa@ss"), std::string("50%off")}) {
    auto result = parse(consumer_with_uri("!ENV \"postgresql://hc:${PW}@127.0.0.1:5432/x\""),
                        test::env_of({{"PW", password}}));
    ASSERT_FALSE(result.ok()) << password;
    const std::string errors = all_errors(result);
    EXPECT_THAT(errors, HasSubstr("test.yaml:5:23: healthcheck-consumer-config.topics[0]."
                                  "connection_uri: libpq would misread this connection URI"))
        << password;
    EXPECT_THAT(errors, HasSubstr("must be percent-encoded")) << password;
    EXPECT_THAT(errors, Not(HasSubstr(password))) << errors;
    EXPECT_THAT(errors, Not(HasSubstr("hc:"))) << errors;
  }
}

}  // namespace
}  // namespace hc
