// A real Apache Kafka (KRaft, 1 or 3 nodes) on loopback for the tests of label `kafka`,
// started and stopped through scripts/kafka, the same script the demo and benchmarks use.
// Library hc_kafka_test_support; register such a test with hc_add_kafka_test (tests/
// CMakeLists.txt): each binary is one ctest test, so one cluster serves all its tests.
//
//   class KafkaPipeline : public test::KafkaTest<KafkaPipeline> { ... };   // 1 node
//   class Replication : public test::KafkaTest<Replication> {               // 3 nodes
//    public:
//     static test::KafkaCluster::Options cluster_options() { return {.brokers = 3}; }
//   };
//
// Every listener serves every node: PLAINTEXT, SSL (server certificate for 127.0.0.1 signed by
// ca_file(), hostname verification works) and SASL_SSL (PLAIN, SCRAM-SHA-256/512 with
// sasl_username()/sasl_password()). Tests read and check through PLAINTEXT.
// Thread: one object from one thread (the test's).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "hc/test/support.h"

namespace hc::test {

enum class KafkaListener { kPlaintext, kSsl, kSaslSsl };

class KafkaCluster {
 public:
  struct Options {
    int brokers = 1;
    // Empty: scripts/kafka's pinned default (4.1.2). "3.9.1" only for SCRAM (see scripts/kafka).
    std::string version{};
  };
  // Fetches the broker on first use (cached), starts it and waits until every node serves
  // metadata. The cluster is stopped by the destructor, or by scripts/kafka's watchdog when
  // this process dies. Throws std::runtime_error whose what() is one line naming the cause
  // (e.g. "cannot fetch Apache Kafka 4.1.2 ... from Maven Central: ...").
  explicit KafkaCluster(const Options& options);
  ~KafkaCluster();
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;

  // "127.0.0.1:P1,127.0.0.1:P2,..." of one listener over all nodes.
  std::string bootstrap(KafkaListener listener = KafkaListener::kPlaintext) const;
  // Node `id`'s (1..brokers()) PLAINTEXT address; ids are Kafka's node ids.
  std::string broker_address(int id) const;
  int brokers() const;
  std::string ca_file() const { return value("KAFKA_CA_FILE"); }
  std::string sasl_username() const { return value("KAFKA_SASL_USERNAME"); }
  std::string sasl_password() const { return value("KAFKA_SASL_PASSWORD"); }
  std::string version() const { return value("KAFKA_VERSION"); }

  // The lines of an hc config section (producer or consumer) that reach this cluster through
  // `listener`: bootstrap_servers and the security settings, each indented by two spaces.
  // `sasl_mechanism` is used for kSaslSsl only.
  std::string client_yaml(KafkaListener listener = KafkaListener::kPlaintext,
                          const std::string& sasl_mechanism = "PLAIN") const;

  // Node `id` only; its data and ports stay. Each throws std::runtime_error on failure.
  void kill_broker(int id);   // SIGKILL, returns once it is gone
  void stop_broker(int id);   // SIGTERM (controlled shutdown), returns once it is gone
  void start_broker(int id);  // starts it again, returns once it serves metadata

 private:
  std::string value(const std::string& key) const;
  void run_script(const std::string& command, int id);

  TempDir dir_;
  std::map<std::string, std::string> env_;  // scripts/kafka's KEY=VALUE lines
};

// GoogleTest base: one KafkaCluster per test suite, made in SetUpTestSuite with
// Suite::cluster_options() when the suite defines it (else one node). If the cluster cannot
// start, every test of the suite fails with that one line (never a silent skip).
// A fixture that overrides SetUp() calls KafkaTest::SetUp() first.
template <typename Suite>
class KafkaTest : public ::testing::Test {
 public:
  static KafkaCluster::Options cluster_options() { return {}; }
  static void SetUpTestSuite() {
    try {
      cluster = std::make_unique<KafkaCluster>(Suite::cluster_options());
    } catch (const std::exception& error) {
      start_error = error.what();
    }
  }
  static void TearDownTestSuite() { cluster.reset(); }

 protected:
  void SetUp() override {
    if (!cluster) GTEST_FAIL() << "Kafka broker unavailable: " << start_error;
  }
  static KafkaCluster& kafka() { return *cluster; }

 private:
  static inline std::unique_ptr<KafkaCluster> cluster;
  static inline std::string start_error;
};

}  // namespace hc::test
