// kafka_settings_hint: the reasons are librdkafka 2.0.2's own texts, as the roles received
// them from Apache Kafka 4.1 (tests of label `kafka`).
#include "hc/common/kafka_error_hint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hc {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kWrongPassword =
    "sasl_ssl://127.0.0.1:33771/bootstrap: SASL authentication error: Authentication failed: "
    "Invalid username or password (after 3ms in state AUTH_REQ)";
constexpr const char* kUntrustedCa =
    "ssl://127.0.0.1:39005/bootstrap: SSL handshake failed: error:0A000086:SSL "
    "routines::certificate verify failed: broker certificate could not be verified, verify that "
    "ssl.ca.location is correctly configured or root CA certificates are installed (install "
    "ca-certificates package) (after 4ms in state SSL_HANDSHAKE)";
constexpr const char* kPlainListener =
    "ssl://127.0.0.1:45874/bootstrap: SSL handshake failed: error:0A00010B:SSL routines::wrong "
    "version number (after 0ms in state SSL_HANDSHAKE)";

TEST(KafkaSettingsHint, RefusedCredentialsNameTheSaslSettings) {
  EXPECT_THAT(kafka_settings_hint(RD_KAFKA_RESP_ERR__AUTHENTICATION, kWrongPassword),
              HasSubstr("check sasl_username, sasl_password and sasl_mechanism"));
  // The reason alone is enough (some paths report it as a transport error).
  EXPECT_THAT(kafka_settings_hint(RD_KAFKA_RESP_ERR__TRANSPORT, kWrongPassword),
              HasSubstr("sasl_password"));
}

TEST(KafkaSettingsHint, UnverifiedCertificateNamesTheCaFile) {
  EXPECT_THAT(kafka_settings_hint(RD_KAFKA_RESP_ERR__SSL, kUntrustedCa),
              HasSubstr("not trusted: check ssl_cafile"));
}

TEST(KafkaSettingsHint, OtherHandshakeFailuresNameTheProtocolFirst) {
  EXPECT_THAT(kafka_settings_hint(RD_KAFKA_RESP_ERR__SSL, kPlainListener),
              HasSubstr("check security_protocol"));
}

TEST(KafkaSettingsHint, OutagesHaveNoHint) {
  EXPECT_EQ(kafka_settings_hint(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down"), "");
  EXPECT_EQ(kafka_settings_hint(RD_KAFKA_RESP_ERR__TRANSPORT,
                                "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: "
                                "Connection refused"),
            "");
}

TEST(KafkaSettingsProblem, RemembersTheLastHintedErrorUntilCleared) {
  KafkaSettingsProblem problem;
  EXPECT_EQ(problem.note(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down"), "");
  EXPECT_EQ(problem.text(), std::nullopt);
  const std::string line = problem.note(RD_KAFKA_RESP_ERR__AUTHENTICATION, kWrongPassword);
  EXPECT_THAT(line, StartsWith("kafka: the broker refused the SASL credentials"));
  EXPECT_THAT(line, HasSubstr("Invalid username or password"));
  // An outage after it does not hide the cause.
  problem.note(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
  EXPECT_EQ(problem.text(), line);
  problem.clear();
  EXPECT_EQ(problem.text(), std::nullopt);
}

}  // namespace
}  // namespace hc
