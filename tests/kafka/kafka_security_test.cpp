// The whole pipeline (hc --producer -> Apache Kafka -> hc --consumer -> PostgreSQL) over each
// listener of a real broker: PLAINTEXT, SSL with the cluster's CA (hostname verified) and
// SASL_SSL with PLAIN; a wrong password and an untrusted CA fail clearly, naming the setting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "hc/test/kafka_cluster.h"
#include "hc/test/test_certificates.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using test::KafkaListener;

class KafkaSecurity : public KafkaPipelineTest<KafkaSecurity> {
 protected:
  // /healthz of a role's metrics server: "STATUS BODY", or "" while it does not answer.
  static std::string healthz(int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    auto response = client.Get("/healthz");
    return response ? std::to_string(response->status) + " " + response->body : "";
  }

  // Both roles with `kafka_yaml`, which the broker refuses: each keeps running, and its
  // /healthz (503) and its log name `setting`.
  void expect_refused_naming(const std::string& kafka_yaml, const std::string& setting,
                             const std::string& name) {
    test::TempDir dir;
    postgres->create_database(name);
    PipelineSpec spec{kafka_yaml, name, {sites->up()}, postgres->uri(name)};
    const auto config = write_pipeline_config(dir.path(), "config", spec);
    const int consumer_port = test::unused_loopback_port();
    const int producer_port = test::unused_loopback_port();
    test::ChildProcess consumer =
        start_hc("--consumer", config, "consumer",
                 {"--metrics-addr", "127.0.0.1:" + std::to_string(consumer_port)});
    test::ChildProcess producer =
        start_hc("--producer", config, "producer",
                 {"--metrics-addr", "127.0.0.1:" + std::to_string(producer_port)});
    for (const auto& [role, port] :
         {std::pair{"consumer", consumer_port}, {"producer", producer_port}}) {
      std::string last;
      EXPECT_TRUE(test::eventually(
          [&, port = port] {
            last = healthz(port);
            return last.starts_with("503 ") && last.find(setting) != std::string::npos;
          },
          std::chrono::seconds(30)))
          << role << " /healthz: " << last;
      EXPECT_THAT(test::read_file(dir.path() / (std::string(role) + ".log")),
                  testing::HasSubstr(setting))
          << role;
    }
    EXPECT_TRUE(consumer.running());
    EXPECT_TRUE(producer.running());
  }
};

TEST_F(KafkaSecurity, PlaintextPipelineStoresEveryPublishedCheckOnce) {
  expect_pipeline_delivers(kafka(), *postgres, *sites, kafka().client_yaml(), "plaintext");
}

TEST_F(KafkaSecurity, SslPipelineWithTheClusterCaStoresEveryPublishedCheckOnce) {
  expect_pipeline_delivers(kafka(), *postgres, *sites, kafka().client_yaml(KafkaListener::kSsl),
                           "over_ssl");
}

TEST_F(KafkaSecurity, SaslSslPlainPipelineStoresEveryPublishedCheckOnce) {
  expect_pipeline_delivers(kafka(), *postgres, *sites,
                           kafka().client_yaml(KafkaListener::kSaslSsl, "PLAIN"), "sasl_plain");
}

TEST_F(KafkaSecurity, AWrongPasswordIsNamedInTheLogAndHealthz) {
  std::string yaml = kafka().client_yaml(KafkaListener::kSaslSsl, "PLAIN");
  const std::string password = "\"" + kafka().sasl_password() + "\"";
  yaml.replace(yaml.find(password), password.size(), "\"not-the-password\"");
  expect_refused_naming(yaml, "sasl_password", "wrong_password");
}

TEST_F(KafkaSecurity, AnUntrustedCaIsNamedInTheLogAndHealthz) {
  test::TempDir other;
  test::TestCa stranger(other.path());
  std::string yaml = kafka().client_yaml(KafkaListener::kSsl);
  yaml.replace(yaml.find(kafka().ca_file()), kafka().ca_file().size(), stranger.cert_file());
  expect_refused_naming(yaml, "ssl_cafile", "untrusted_ca");
}

}  // namespace
}  // namespace hc::kafka_test
