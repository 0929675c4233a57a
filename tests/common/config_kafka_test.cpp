// Kafka security settings: validated when the config is read, then mapped onto
// librdkafka properties.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config_test_helpers.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using test::all_errors;
using test::parse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using Properties = std::vector<std::pair<std::string, std::string>>;

// Certificate files only need to exist and be readable for the config to load.
class KafkaSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"ca.pem", "client.cert", "client.key"}) {
      std::ofstream(dir_.path() / name) << "-----BEGIN PLACEHOLDER-----\n";
    }
  }
  std::string file(const char* name) const { return (dir_.path() / name).string(); }

  // A producer section with the given security lines (each "  key: value\n").
  static std::string producer_with(const std::string& security_lines) {
    return "healthcheck-producer-config:\n"
           "  bootstrap_servers: [127.0.0.1:9092, \"127.0.0.1:9093\"]\n" +
           security_lines +
           "  defaults: {destination_topic: t}\n"
           "  websites: [{url: \"http://127.0.0.1/\"}]\n";
  }

  test::TempDir dir_;
};

TEST_F(KafkaSecurity, PlaintextGivesServersAndProtocolOnly) {
  auto result = parse(producer_with(""));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(result.config->producer->kafka.librdkafka_properties(),
              ElementsAre(Pair("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093"),
                          Pair("security.protocol", "plaintext")));
}

TEST_F(KafkaSecurity, SslWithClientCertificateGivesTheThreeLocations) {
  auto result = parse(producer_with("  security_protocol: SSL\n  ssl_cafile: " + file("ca.pem") +
                                    "\n  ssl_certfile: " + file("client.cert") +
                                    "\n  ssl_keyfile: " + file("client.key") + "\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(result.config->producer->kafka.librdkafka_properties(),
              ElementsAre(Pair("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093"),
                          Pair("security.protocol", "ssl"), Pair("ssl.ca.location", file("ca.pem")),
                          Pair("ssl.certificate.location", file("client.cert")),
                          Pair("ssl.key.location", file("client.key"))));
}

TEST_F(KafkaSecurity, SaslSslWithScramGivesMechanismAndCredentials) {
  auto result =
      parse(producer_with("  security_protocol: sasl_ssl\n  ssl_cafile: " + file("ca.pem") +
                          "\n  sasl_mechanism: SCRAM-SHA-512\n"
                          "  sasl_username: hc\n  sasl_password: s3cret\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(
      result.config->producer->kafka.librdkafka_properties(),
      ElementsAre(Pair("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093"),
                  Pair("security.protocol", "sasl_ssl"), Pair("ssl.ca.location", file("ca.pem")),
                  Pair("sasl.mechanisms", "SCRAM-SHA-512"), Pair("sasl.username", "hc"),
                  Pair("sasl.password", "s3cret")));
}

TEST_F(KafkaSecurity, SaslPlaintextNeedsAllowPlaintextSaslAndNamesTheKey) {
  auto result = parse(producer_with(
      "  security_protocol: SASL_PLAINTEXT\n  sasl_username: hc\n  sasl_password: pw\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].key_path, "healthcheck-producer-config.security_protocol");
  EXPECT_THAT(result.errors[0].message, HasSubstr("set allow_plaintext_sasl: true"));
  auto misplaced = parse(producer_with("  allow_plaintext_sasl: true\n"));
  ASSERT_EQ(misplaced.errors.size(), 1u) << all_errors(misplaced);
  EXPECT_EQ(misplaced.errors[0].key_path, "healthcheck-producer-config.allow_plaintext_sasl");
  EXPECT_THAT(misplaced.errors[0].message,
              HasSubstr("only applies when security_protocol is SASL_PLAINTEXT"));
}

TEST_F(KafkaSecurity, SaslPlaintextDefaultsToMechanismPlain) {
  auto result =
      parse(producer_with("  security_protocol: SASL_PLAINTEXT\n  allow_plaintext_sasl: true\n"
                          "  sasl_username: hc\n  sasl_password: pw\n"));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(
      result.config->producer->kafka.librdkafka_properties(),
      ElementsAre(Pair("bootstrap.servers", "127.0.0.1:9092,127.0.0.1:9093"),
                  Pair("security.protocol", "sasl_plaintext"), Pair("sasl.mechanisms", "PLAIN"),
                  Pair("sasl.username", "hc"), Pair("sasl.password", "pw")));
}

TEST_F(KafkaSecurity, CertificateWithoutKeyIsAnError) {
  auto result = parse(
      producer_with("  security_protocol: SSL\n  ssl_certfile: " + file("client.cert") + "\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[0].key_path, "healthcheck-producer-config.ssl_certfile");
  EXPECT_THAT(result.errors[0].message, HasSubstr("set both or neither"));
}

TEST_F(KafkaSecurity, CaFileThatDoesNotExistIsAnError) {
  auto result =
      parse(producer_with("  security_protocol: SSL\n  ssl_cafile: " + file("missing.pem") + "\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[0].column, 15);
  EXPECT_THAT(result.errors[0].message, HasSubstr("does not exist or cannot be read"));
}

TEST_F(KafkaSecurity, SslFilesWithPlaintextAreAMistake) {
  auto result = parse(producer_with("  ssl_cafile: " + file("ca.pem") + "\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_THAT(
      result.errors[0].message,
      HasSubstr("only applies when security_protocol is SSL or SASL_SSL (it is PLAINTEXT)"));
}

TEST_F(KafkaSecurity, SaslWithoutUsernameNamesBothKeys) {
  auto result = parse(producer_with("  security_protocol: SASL_SSL\n  sasl_password: pw\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:3:22: healthcheck-producer-config.security_protocol: SASL_SSL requires a "
            "non-empty sasl_username and sasl_password");
}

TEST_F(KafkaSecurity, UnsupportedSaslMechanismIsAnError) {
  auto result = parse(
      producer_with("  security_protocol: SASL_SSL\n  sasl_mechanism: GSSAPI\n  sasl_username: hc\n"
                    "  sasl_password: pw\n"));
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_THAT(result.errors[0].message,
              HasSubstr("expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'"));
}

}  // namespace
}  // namespace hc
