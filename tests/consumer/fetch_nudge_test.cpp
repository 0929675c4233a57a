// GroupConsumer against hc-devbroker with a prefetch queue far smaller than the backlog: the
// backlog drains at the pace of the polls because FetchNudger wakes librdkafka's fetcher
// (fetch_nudger.h). Without the nudges librdkafka 2.0.2 refills a full queue only on its
// 1 s broker tick: 8 MB through a 16 KB queue takes minutes (~800 messages in 30 s, checked
// with nudge_every_bytes 0).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "group_consumer.h"
#include "hc/common/kafka_handles.h"
#include "hc/test/support.h"

namespace hc::consumer {
namespace {

using namespace std::chrono_literals;

class NoRebalanceWork : public RebalanceListener {
 public:
  void on_assigned(const rd_kafka_topic_partition_list_t&) override {}
  void on_revoking(const rd_kafka_topic_partition_list_t&) override {}
};

void produce(const std::string& bootstrap_servers, const std::string& topic, int count,
             std::size_t value_bytes) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap_servers};
  // Record batches of at most 8 KB: a fetch returns at least one whole batch, whatever its
  // size, so small batches keep each fetch within the consumer's 16 KB.
  KafkaHandle producer = make_kafka_client(
      RD_KAFKA_PRODUCER, make_kafka_conf(settings, {{"batch.size", "8192"}}), "the test producer");
  const std::string value(value_bytes, 'v');
  for (int i = 0; i < count; ++i) {
    const std::string key = "https://site-" + std::to_string(i % 100) + ".test/";
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR__QUEUE_FULL;
    while (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      error = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                RD_KAFKA_V_KEY(key.data(), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(producer.get(), 100);
    }
    ASSERT_EQ(error, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(error);
  }
  ASSERT_EQ(rd_kafka_flush(producer.get(), 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST(FetchNudge, ABacklogDrainsThroughAPrefetchQueueFarSmallerThanIt) {
  constexpr int kMessages = 8000;
  // Four partitions: hc-devbroker keeps ~5 MB of each.
  test::DevBroker broker({{"backlog", 4}});
  produce(broker.bootstrap_servers(), "backlog", kMessages, 1024);  // 8 MB

  ConsumerConfig config;
  config.kafka.bootstrap_servers = {broker.bootstrap_servers()};
  config.group_id = "fetch-nudge-test";
  NoRebalanceWork listener;
  // A fetch brings at most 16 KB per partition, and none starts while 16 KB are queued:
  // hundreds of fetches, each needing the broker thread to look again after the loop took
  // from the queue.
  const PrefetchLimits limits{.queue_kbytes = 16,
                              .nudge_every_bytes = std::size_t{4} << 10,
                              .partition_fetch_bytes = 16 * 1024};
  GroupConsumer consumer(config, {"backlog"}, listener, limits);

  // 30 s: the nudged consumer takes a second or two; without nudges it gets one fetch of
  // the four partitions (~64 KB) per second, a quarter of the backlog in 30 s.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int received = 0;
  while (received < kMessages && std::chrono::steady_clock::now() < deadline) {
    // Fewer messages than the queue holds, as the consumer loop asks for: a poll that asks
    // for more waits out its timeout on an empty queue before its bytes count.
    PolledBatch batch = consumer.poll_batch(100ms, 8);
    for (const PolledRecord& record : batch.records) {
      if (record.error == RD_KAFKA_RESP_ERR_NO_ERROR) ++received;
    }
  }
  EXPECT_EQ(received, kMessages);
  EXPECT_GT(consumer.fetch_nudges(), 0U);  // at most one per 4 KB taken
  consumer.close();
}

TEST(FetchNudge, ANewerLibrdkafkaGetsAShortFetchBackOffInstead) {
  const PrefetchLimits limits;
  auto has_backoff = [&](int version) {
    for (const auto& [name, value] : prefetch_properties(limits, version)) {
      if (name == "fetch.queue.backoff.ms") return value == "20";
    }
    return false;
  };
  EXPECT_FALSE(has_backoff(0x020002ff));  // 2.0.2, Debian 12's: it refuses the property
  EXPECT_FALSE(has_backoff(0x020101ff));
  EXPECT_TRUE(has_backoff(0x020200ff));  // 2.2.0
  EXPECT_TRUE(has_backoff(0x020a00ff));
  // What this machine's librdkafka is given, it accepts (the consumer above was built with it).
  EXPECT_EQ(has_backoff(rd_kafka_version()), rd_kafka_version() >= 0x02020000);
}

}  // namespace
}  // namespace hc::consumer
