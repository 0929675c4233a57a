// hc-devbroker's fault controls (tools/mock_faults.h) through its control socket: the answers,
// and that brokers taken down and brought back keep every message.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <array>
#include <atomic>
#include <set>
#include <thread>

#include "hc/common/kafka_handles.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// An idempotent producer that counts its delivery reports, so a test can tell "queued" from
// "delivered".
class CountingProducer {
 public:
  explicit CountingProducer(const std::string& bootstrap_servers) {
    KafkaSettings settings;
    settings.bootstrap_servers = {bootstrap_servers};
    KafkaConf conf = make_kafka_conf(
        settings,
        {{"enable.idempotence", "true"}, {"linger.ms", "5"}, {"reconnect.backoff.max.ms", "500"}});
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(
        conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* message, void* self) {
          auto* producer = static_cast<CountingProducer*>(self);
          (message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? producer->delivered_ : producer->failed_)++;
        });
    std::array<char, 512> error{};
    handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
    if (!handle_) throw std::runtime_error(error.data());
    static_cast<void>(conf.release());  // rd_kafka_new took ownership
  }
  void send(const std::string& topic, const std::string& key, const std::string& value) {
    auto error = rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                   RD_KAFKA_V_KEY(key.data(), key.size()),
                                   RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(error));
  }
  void poll(milliseconds timeout) {
    rd_kafka_poll(handle_.get(), static_cast<int>(timeout.count()));
  }
  bool flush(milliseconds timeout) {
    return rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count())) ==
           RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  int delivered() const { return delivered_; }
  int failed() const { return failed_; }

 private:
  KafkaHandle handle_;
  int delivered_ = 0;  // delivery reports come on the thread that calls poll/flush
  int failed_ = 0;
};

std::multiset<std::string> values_of(const std::vector<test::KafkaRecord>& records) {
  std::multiset<std::string> values;
  for (const auto& record : records) values.insert(record.value);
  return values;
}

TEST(DevBrokerControl, AnswersOkOrErrorAndReportsBrokerState) {
  test::DevBroker broker({}, 2);
  EXPECT_EQ(broker.control("ping"), "ok");
  EXPECT_EQ(broker.control("status"), "ok brokers 1:up 2:up");
  EXPECT_EQ(broker.control("broker-down 2"), "ok");
  EXPECT_EQ(broker.control("status"), "ok brokers 1:up 2:down");
  EXPECT_EQ(broker.control("all-down"), "ok");
  EXPECT_EQ(broker.control("status"), "ok brokers 1:down 2:down");
  EXPECT_EQ(broker.control("all-up"), "ok");
  EXPECT_EQ(broker.control("status"), "ok brokers 1:up 2:up");
  EXPECT_EQ(broker.control("rtt all 0"), "ok");
  EXPECT_EQ(broker.control("request-errors Produce NOT_LEADER_FOR_PARTITION 2"), "ok");
  EXPECT_EQ(broker.control("broker-request-errors 1 Fetch 6 1 100"), "ok");
  EXPECT_EQ(broker.control("clear-request-errors Produce"), "ok");

  // Refused, each with its reason, and nothing changed.
  for (const std::string command :
       {"broker-down 3", "broker-down", "broker-down one", "rtt 1 -5", "bogus",
        "request-errors Nope NOT_LEADER_FOR_PARTITION 1", "request-errors Produce NO_SUCH 1",
        "request-errors Produce 6 0", "leader t 0 3", ""}) {
    const std::string reply = broker.control(command);
    EXPECT_TRUE(reply.starts_with("error ")) << command << " -> " << reply;
  }
  EXPECT_EQ(broker.control("status"), "ok brokers 1:up 2:up");
}

TEST(DevBrokerControl, CtlSubcommandSendsOneCommandFromAShell) {
  test::DevBroker broker;
  const std::string socket = broker.control_socket().string();
  auto ok = test::run_command(
      {test::devbroker_binary().string(), "ctl", "--socket", socket, "broker-down", "1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, "ok\n");
  auto refused =
      test::run_command({test::devbroker_binary().string(), "ctl", "--socket", socket, "nope"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(refused.output.starts_with("error unknown command 'nope'")) << refused.output;
  auto absent = test::run_command(
      {test::devbroker_binary().string(), "ctl", "--socket", socket + ".absent", "ping"});
  EXPECT_EQ(absent.exit_code, 1) << absent.output;
  EXPECT_NE(absent.output.find(socket + ".absent"), std::string::npos) << absent.output;
  EXPECT_EQ(broker.control("status"), "ok brokers 1:down");
}

// The promise the fault tests build on: data, offsets and topics live in the cluster, so a
// producer's messages wait out an outage and nothing produced before it is lost.
TEST(DevBrokerControl, AllDownThenUpKeepsEveryMessageAndDeliversTheQueuedOnes) {
  constexpr int kPartitions = 4;
  test::DevBroker broker({{"t", kPartitions}});
  CountingProducer producer(broker.bootstrap_servers());
  std::multiset<std::string> sent;
  auto send = [&](int first, int count) {
    for (int i = first; i < first + count; ++i) {
      const std::string value = "message-" + std::to_string(i);
      producer.send("t", "key-" + std::to_string(i % 37), value);
      sent.insert(value);
    }
  };
  send(0, 1000);
  ASSERT_TRUE(producer.flush(seconds(30)));
  ASSERT_EQ(producer.delivered(), 1000);

  broker.must("all-down");
  send(1000, 1000);
  // While the brokers are down nothing is acknowledged: the messages wait in the client.
  // (A negative check, bounded at 3 s: long enough for several reconnect attempts.)
  const auto deadline = std::chrono::steady_clock::now() + seconds(3);
  while (std::chrono::steady_clock::now() < deadline) producer.poll(milliseconds(100));
  EXPECT_EQ(producer.delivered(), 1000);
  EXPECT_EQ(producer.failed(), 0);

  broker.must("all-up");
  ASSERT_TRUE(producer.flush(seconds(60))) << "not delivered after the brokers came back";
  EXPECT_EQ(producer.delivered(), 2000);
  EXPECT_EQ(producer.failed(), 0);
  auto records = test::read_topic(broker.bootstrap_servers(), "t", kPartitions, 2000);
  EXPECT_EQ(values_of(records), sent);  // every message once: the first 1000 survived down/up
}

TEST(DevBrokerControl, OneBrokerDownIsRefusedOnItsPortAndBackOnTheSamePort) {
  test::DevBroker broker({{"t", 2}}, 2);
  CountingProducer producer(broker.bootstrap_servers());
  broker.must("leader t 0 1");
  broker.must("leader t 1 1");
  broker.must("broker-down 1");  // the leader of both partitions
  for (int i = 0; i < 100; ++i) producer.send("t", "k" + std::to_string(i), std::to_string(i));
  const auto deadline = std::chrono::steady_clock::now() + seconds(2);
  while (std::chrono::steady_clock::now() < deadline) producer.poll(milliseconds(100));
  EXPECT_EQ(producer.delivered(), 0);
  broker.must("broker-up 1");
  ASSERT_TRUE(producer.flush(seconds(60)));
  EXPECT_EQ(producer.delivered(), 100);
  EXPECT_EQ(test::read_topic(broker.bootstrap_servers(), "t", 2, 100).size(), 100u);
}

TEST(DevBrokerControl, InjectedRetriableProduceErrorsAreRetriedAndDeliveredOnce) {
  test::DevBroker broker({{"t", 1}});
  broker.must("request-errors Produce NOT_LEADER_FOR_PARTITION 3");
  CountingProducer producer(broker.bootstrap_servers());
  for (int i = 0; i < 50; ++i) producer.send("t", "k", std::to_string(i));
  ASSERT_TRUE(producer.flush(seconds(30)));
  EXPECT_EQ(producer.delivered(), 50);
  EXPECT_EQ(producer.failed(), 0);
  EXPECT_EQ(test::read_topic(broker.bootstrap_servers(), "t", 1, 50).size(), 50u);
}

}  // namespace
}  // namespace hc
