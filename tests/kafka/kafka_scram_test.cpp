// The pipeline over SASL_SSL with SCRAM-SHA-512. Against Apache Kafka 3.9.1 (KRaft), not 4.x:
// librdkafka 2.0.2, Debian 12's, fails SCRAM authentication against Kafka 4.x (librdkafka
// issue #4895; the broker logs "invalid credentials" for the right ones), see scripts/kafka.
#include <gtest/gtest.h>

#include "hc/test/kafka_cluster.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

class KafkaScram : public KafkaPipelineTest<KafkaScram> {
 public:
  static test::KafkaCluster::Options cluster_options() {
    return {.brokers = 1, .version = "3.9.1"};
  }
};

TEST_F(KafkaScram, SaslSslScramSha512PipelineStoresEveryPublishedCheckOnce) {
  expect_pipeline_delivers(kafka(), *postgres, *sites,
                           kafka().client_yaml(test::KafkaListener::kSaslSsl, "SCRAM-SHA-512"),
                           "sasl_scram");
}

}  // namespace
}  // namespace hc::kafka_test
