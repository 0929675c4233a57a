// The configuration files shipped in the repository load as documented.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "config_test_helpers.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using test::all_errors;
using test::env_of;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::filesystem::path repo_file(const char* name) { return test::source_dir() / name; }

TEST(RepositoryConfig, DemoConfigLoadsWithNoEnvironmentAndChecksSixLocalSites) {
  auto result = load_config(repo_file("config.yaml"), env_of());
  ASSERT_TRUE(result.ok()) << all_errors(result);
  const ProducerConfig& producer = *result.config->producer;
  EXPECT_THAT(producer.kafka.bootstrap_servers, ElementsAre("127.0.0.1:9092"));
  ASSERT_EQ(producer.websites.size(), 6u);
  std::vector<std::string> urls;
  for (const SiteConfig& site : producer.websites) {
    urls.push_back(site.url);
    EXPECT_EQ(site.destination_topic, "healthcheck");
    EXPECT_GE(site.polling_interval, std::chrono::seconds(2));
    EXPECT_LE(site.polling_interval, std::chrono::seconds(5));
  }
  // Loopback only: the demo must never leave the machine.
  EXPECT_THAT(urls,
              ElementsAre("http://127.0.0.1:8089/fast", "http://127.0.0.1:8089/slow",
                          "http://127.0.0.1:8089/error", "http://127.0.0.1:8089/nomatch",
                          "tcp://127.0.0.1:8089", "dns://127.0.0.1:8089/status.demo.test?type=A"));
  // The demo server's /fast page says "hc demo: all systems operational".
  EXPECT_EQ(producer.websites[0].regex, "all systems operational");
  // /slow answers after 3 s: the check must time out before that.
  EXPECT_EQ(producer.websites[1].timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(producer.websites[3].regex, "all systems operational");

  const ConsumerConfig& consumer = *result.config->consumer;
  EXPECT_EQ(consumer.group_id, "hc-consumer");
  ASSERT_EQ(consumer.topics.size(), 1u);
  EXPECT_EQ(consumer.topics[0].source_topic, "healthcheck");
  EXPECT_EQ(consumer.topics[0].table_name, "healthcheck");
  EXPECT_EQ(consumer.topics[0].connection_uri, "postgresql://postgres@127.0.0.1:55432/postgres");
  // hc notify tells the demo's own receiver, on loopback too.
  const NotifyConfig& notify = *result.config->notify;
  ASSERT_EQ(notify.channels.size(), 1u);
  EXPECT_EQ(notify.channels[0].url, "http://127.0.0.1:8089/hook");
  EXPECT_EQ(notify.events_topics, std::vector<std::string>{"healthcheck.events"});
  EXPECT_EQ(summarize(*result.config),
            "6 sites, 1 topic (healthcheck); consumer group hc-consumer: 1 topic -> 1 table in 1 "
            "database; notify group hc-notify: 1 events topic -> 1 route to 1 channel");
}

TEST(RepositoryConfig, DemoConfigFollowsTheEnvironmentWhenSet) {
  auto result =
      load_config(repo_file("config.yaml"),
                  env_of({{"KAFKA_BOOTSTRAP_SERVER", "127.0.0.1:40001"},
                          {"HC_DEMO_BASE_URL", "http://127.0.0.1:40002"},
                          {"HC_DEMO_HOST_PORT", "127.0.0.1:40004"},
                          {"POSTGRES_CONNECTION_URI", "postgresql://x@127.0.0.1:40003/y"}}));
  ASSERT_TRUE(result.ok()) << all_errors(result);
  EXPECT_THAT(result.config->consumer->kafka.bootstrap_servers, ElementsAre("127.0.0.1:40001"));
  EXPECT_EQ(result.config->producer->websites[2].url, "http://127.0.0.1:40002/error");
  EXPECT_EQ(result.config->producer->websites[4].url, "tcp://127.0.0.1:40004");
  EXPECT_EQ(result.config->consumer->topics[0].connection_uri, "postgresql://x@127.0.0.1:40003/y");
}

// The variables README.md tells users of managed services to export.
class RemoteServicesConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"ca.pem", "service.cert", "service.key"}) {
      std::ofstream(dir_.path() / name) << "-----BEGIN PLACEHOLDER-----\n";
    }
    variables_ = {
        {"KAFKA_BOOTSTRAP_SERVER", "kafka-1.managed.invalid:12345,kafka-2.managed.invalid:12345"},
        {"KAFKA_SASL_BOOTSTRAP_SERVER", "kafka-1.managed.invalid:12346"},
        {"KAFKA_SSL_CA_FILE", (dir_.path() / "ca.pem").string()},
        {"KAFKA_SSL_CERT_FILE", (dir_.path() / "service.cert").string()},
        {"KAFKA_SSL_KEY_FILE", (dir_.path() / "service.key").string()},
        {"KAFKA_SASL_USERNAME", "hc-consumer"},
        {"KAFKA_SASL_PASSWORD", "kafka-secret"},
        {"POSTGRES_USER", "hc"},
        {"POSTGRES_PASSWORD", "pg-secret"},
        {"POSTGRES_HOST", "pg.managed.invalid"},
        {"POSTGRES_CA_FILE", "/home/hc/pg-ca.pem"},
    };
  }
  ConfigLoadResult load() const {
    return load_config(repo_file("remote-services-config.yaml"), env_of(variables_));
  }

  test::TempDir dir_;
  std::map<std::string, std::string> variables_;
};

TEST_F(RemoteServicesConfig, ProducerUsesMutualTls) {
  auto result = load();
  ASSERT_TRUE(result.ok()) << all_errors(result);
  auto properties = result.config->producer->kafka.librdkafka_properties();
  EXPECT_THAT(properties,
              ElementsAre(Pair("bootstrap.servers",
                               "kafka-1.managed.invalid:12345,kafka-2.managed.invalid:12345"),
                          Pair("security.protocol", "ssl"),
                          Pair("ssl.ca.location", variables_["KAFKA_SSL_CA_FILE"]),
                          Pair("ssl.certificate.location", variables_["KAFKA_SSL_CERT_FILE"]),
                          Pair("ssl.key.location", variables_["KAFKA_SSL_KEY_FILE"])));
  EXPECT_GE(result.config->producer->websites.size(), 3u);
}

TEST_F(RemoteServicesConfig, ConsumerUsesSaslSslScram) {
  auto result = load();
  ASSERT_TRUE(result.ok()) << all_errors(result);
  auto properties = result.config->consumer->kafka.librdkafka_properties();
  EXPECT_THAT(properties, Contains(Pair("security.protocol", "sasl_ssl")));
  EXPECT_THAT(properties, Contains(Pair("ssl.ca.location", variables_["KAFKA_SSL_CA_FILE"])));
  EXPECT_THAT(properties, Contains(Pair("sasl.mechanisms", "SCRAM-SHA-512")));
  EXPECT_THAT(properties, Contains(Pair("sasl.username", "hc-consumer")));
  EXPECT_THAT(properties, Contains(Pair("sasl.password", "kafka-secret")));
  for (const TopicSinkConfig& route : result.config->consumer->topics) {
    EXPECT_EQ(route.connection_uri,
              "postgresql://hc:pg-secret@pg.managed.invalid:5432/defaultdb?sslmode=verify-full&"
              "sslrootcert=/home/hc/pg-ca.pem");
  }
}

TEST_F(RemoteServicesConfig, UnsetSecretIsNamedWithItsKey) {
  variables_.erase("KAFKA_SASL_PASSWORD");
  auto result = load();
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].key_path, "healthcheck-consumer-config.sasl_password");
  EXPECT_THAT(result.errors[0].message,
              HasSubstr("environment variable KAFKA_SASL_PASSWORD is not set"));
}

TEST_F(RemoteServicesConfig, MissingCertificateFileIsReportedBeforeStart) {
  std::filesystem::remove(variables_["KAFKA_SSL_KEY_FILE"]);
  auto result = load();
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].key_path, "healthcheck-producer-config.ssl_keyfile");
}

}  // namespace
}  // namespace hc
