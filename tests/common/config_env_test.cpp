// !ENV interpolation: "${VAR}" and "${VAR:-default}" anywhere in a tagged scalar; untagged
// scalars are literal; an unset variable without a default names the variable and the key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_helpers.h"
#include "env_interpolation.h"

namespace hc {
namespace {

using test::all_errors;
using test::env_of;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string interpolated(std::string_view text, const EnvLookup& env) {
  auto result = config_detail::interpolate_env(text, env);
  if (auto* failure = std::get_if<config_detail::InterpolationFailure>(&result)) {
    return "FAILED: " + failure->syntax_error;
  }
  return std::get<std::string>(result);
}

TEST(EnvInterpolation, SetVariableIsSubstituted) {
  EXPECT_EQ(interpolated("${HOST}", env_of({{"HOST", "127.0.0.1"}})), "127.0.0.1");
}

TEST(EnvInterpolation, DefaultAppliesWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolated("${PORT:-9092}", env_of()), "9092");
  EXPECT_EQ(interpolated("${PORT:-9092}", env_of({{"PORT", ""}})), "9092");
  EXPECT_EQ(interpolated("${PORT:-9092}", env_of({{"PORT", "9093"}})), "9093");
  EXPECT_EQ(interpolated("${PORT:-}", env_of()), "");
}

TEST(EnvInterpolation, SeveralVariablesEmbeddedInText) {
  auto env = env_of({{"USER", "hc"}, {"HOST", "db"}});
  EXPECT_EQ(interpolated("postgresql://${USER}@${HOST}:${PORT:-5432}/x?a=$b", env),
            "postgresql://hc@db:5432/x?a=$b");
}

TEST(EnvInterpolation, DefaultMayHoldColonsAndSlashes) {
  EXPECT_EQ(interpolated("${BASE:-http://127.0.0.1:8089}/fast", env_of()),
            "http://127.0.0.1:8089/fast");
}

TEST(EnvInterpolation, EveryUnsetVariableWithoutDefaultIsReported) {
  auto result = config_detail::interpolate_env("${A}-${B:-b}-${C}", env_of());
  auto* failure = std::get_if<config_detail::InterpolationFailure>(&result);
  ASSERT_NE(failure, nullptr);
  EXPECT_THAT(failure->unset_variables, ElementsAre("A", "C"));
}

TEST(EnvInterpolation, MalformedReferencesAreSyntaxErrors) {
  EXPECT_THAT(interpolated("${UNTERMINATED", env_of()), HasSubstr("FAILED: unterminated"));
  EXPECT_THAT(interpolated("${9LIVES}", env_of()), HasSubstr("FAILED: '${9LIVES}'"));
  EXPECT_THAT(interpolated("${}", env_of()), HasSubstr("FAILED:"));
}

constexpr std::string_view kSiteTemplate =
    "healthcheck-producer-config:\n"
    "  bootstrap_servers: !ENV \"${KAFKA_BOOTSTRAP_SERVER:-127.0.0.1:9092}\"\n"
    "  websites:\n"
    "    - url: !ENV \"${HC_DEMO_BASE_URL:-http://127.0.0.1:8089}/fast\"\n"
    "      destination_topic: !ENV ${TOPIC}\n"
    "      regex: \"${NOT_INTERPOLATED}\"\n";

TEST(ConfigEnv, TaggedScalarsAreInterpolatedAndUntaggedAreLiteral) {
  auto result = parse(kSiteTemplate,
                      env_of({{"HC_DEMO_BASE_URL", "http://127.0.0.2:1234"}, {"TOPIC", "checks"}}));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites.at(0);
  EXPECT_EQ(site.url, "http://127.0.0.2:1234/fast");
  EXPECT_EQ(site.destination_topic, "checks");
  EXPECT_EQ(site.regex, "${NOT_INTERPOLATED}");
  EXPECT_THAT(result.config->producer->kafka.bootstrap_servers, ElementsAre("127.0.0.1:9092"));
}

TEST(ConfigEnv, UnsetVariableWithoutDefaultNamesVariableAndKeyPath) {
  auto result = parse(kSiteTemplate, env_of());
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:5:26: healthcheck-producer-config.websites[0].destination_topic: "
            "environment variable TOPIC is not set (and ${TOPIC} has no :-default)");
}

TEST(ConfigEnv, BootstrapListItemMayItselfBeACommaSeparatedList) {
  constexpr std::string_view kYaml =
      "healthcheck-producer-config:\n"
      "  bootstrap_servers:\n"
      "    - !ENV \"${KAFKA_BOOTSTRAP_SERVER}\"\n"
      "    - 127.0.0.1:9095\n"
      "  defaults: {destination_topic: t}\n"
      "  websites: [{url: \"http://127.0.0.1/\"}]\n";
  auto result = parse(kYaml, env_of({{"KAFKA_BOOTSTRAP_SERVER", "127.0.0.1:9092, [::1]:9093,"}}));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(result.config->producer->kafka.bootstrap_servers,
              ElementsAre("127.0.0.1:9092", "[::1]:9093", "127.0.0.1:9095"));
}

TEST(ConfigEnv, IntegersAndBooleansMayComeFromTheEnvironment) {
  constexpr std::string_view kYaml =
      "healthcheck-producer-config:\n"
      "  bootstrap_servers: 127.0.0.1:9092\n"
      "  defaults:\n"
      "    destination_topic: t\n"
      "    timeout_ms: !ENV \"${HC_TIMEOUT_MS:-1500}\"\n"
      "    follow_redirects: !ENV \"${HC_FOLLOW}\"\n"
      "  websites: [{url: \"http://127.0.0.1/\"}]\n";
  auto result = parse(kYaml, env_of({{"HC_FOLLOW", "true"}}));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const SiteConfig& site = result.config->producer->websites.at(0);
  EXPECT_EQ(site.timeout, std::chrono::milliseconds(1500));
  EXPECT_TRUE(site.follow_redirects);
}

TEST(ConfigEnv, EnvTagOnAListIsAnError) {
  auto result = parse("healthcheck-producer-config:\n  bootstrap_servers: !ENV [a:1]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(all_errors(result), HasSubstr("test.yaml:2:22: healthcheck-producer-config."
                                            "bootstrap_servers: !ENV applies to a single"));
}

}  // namespace
}  // namespace hc
