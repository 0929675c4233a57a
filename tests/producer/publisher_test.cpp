#include "publisher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>

#include "event_publisher.h"
#include "hc/common/state_event.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/support.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

KafkaSettings dev_kafka(const test::DevBroker& broker) {
  KafkaSettings settings;
  settings.bootstrap_servers = {broker.bootstrap_servers()};
  return settings;
}

TEST(Publisher, MessagesArriveKeyedByUrl) {
  test::DevBroker broker({{"checks", 4}});
  ProducerStats stats;
  Publisher publisher(dev_kafka(broker), 1000, stats);
  std::map<std::string, std::string> sent;
  for (int i = 0; i < 20; ++i) {
    std::string url = "http://127.0.0.1/site/" + std::to_string(i);
    sent[url] = "{\"n\":" + std::to_string(i) + "}";
    ASSERT_TRUE(publisher.publish("checks", url, sent[url]));
  }
  EXPECT_EQ(publisher.flush(std::chrono::seconds(10)), 0u);
  EXPECT_EQ(stats.published.load(), 20u);
  EXPECT_EQ(stats.delivered.load(), 20u);
  EXPECT_EQ(stats.delivery_failures.load(), 0u);

  std::map<std::string, std::string> received;
  for (const auto& record : test::read_topic(broker.bootstrap_servers(), "checks", 4, 20)) {
    received[record.key] = record.value;
  }
  EXPECT_EQ(received, sent);
}

TEST(Publisher, FullQueueDropsAndCountsInsteadOfBlocking) {
  // No broker at this address: messages stay queued, and the queue holds only 5.
  KafkaSettings unreachable;
  unreachable.bootstrap_servers = {"127.0.0.1:" + std::to_string(test::unused_loopback_port())};
  ProducerStats stats;
  Publisher publisher(unreachable, 5, stats);
  int accepted = 0;
  for (int i = 0; i < 8; ++i) accepted += publisher.publish("checks", "http://x/", "{}") ? 1 : 0;
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(stats.dropped_queue_full.load(), 3u);
  EXPECT_EQ(publisher.queue_depth(), 5u);
  EXPECT_EQ(publisher.flush(milliseconds(200)), 5u);
  EXPECT_EQ(stats.undelivered_at_shutdown.load(), 5u);
}

TEST(Publisher, FatalErrorRecreatesTheProducerAndPublishingGoesOn) {
  test::DevBroker broker({{"checks", 1}});
  ProducerStats stats;
  Publisher publisher(dev_kafka(broker), 1000, stats);
  ASSERT_TRUE(publisher.publish("checks", "http://127.0.0.1/before", "1"));
  ASSERT_EQ(publisher.flush(std::chrono::seconds(10)), 0u);

  rd_kafka_test_fatal_error(publisher.handle_for_testing(),
                            RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected by test");
  ASSERT_TRUE(test::eventually(
      [&] {
        publisher.poll();
        return stats.producer_recreations.load() == 1;
      },
      std::chrono::seconds(10)));

  ASSERT_TRUE(publisher.publish("checks", "http://127.0.0.1/after", "2"));
  EXPECT_EQ(publisher.flush(std::chrono::seconds(10)), 0u);
  auto records = test::read_topic(broker.bootstrap_servers(), "checks", 1, 2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "http://127.0.0.1/before");
  EXPECT_EQ(records[1].key, "http://127.0.0.1/after");
}

// The events producer shares the measurement publisher's recovery (RecreatableProducer): a
// fatal error replaces its handle, and events published afterwards are delivered and counted.
TEST(EventPublisher, FatalErrorRecreatesTheProducerAndLaterEventsAreDelivered) {
  test::DevBroker broker({{"checks.events", 1}});
  EventStats stats;
  EventPublisher publisher(dev_kafka(broker), stats);
  StateEvent event;
  event.url = "http://127.0.0.1/site";
  event.from = SiteStatus::kUnknown;
  event.to = SiteStatus::kUp;
  event.at = WallTime(std::chrono::seconds(1'795'000'000));
  ASSERT_TRUE(publisher.publish("checks.events", event));
  ASSERT_EQ(publisher.flush(std::chrono::seconds(10)), 0u);

  rd_kafka_test_fatal_error(publisher.handle_for_testing(),
                            RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected by test");
  ASSERT_TRUE(test::eventually(
      [&] {
        publisher.poll();
        return stats.producer_recreations.load() == 1;
      },
      std::chrono::seconds(10)));

  event.from = SiteStatus::kUp;
  event.to = SiteStatus::kDown;
  event.since = event.at;
  event.at += std::chrono::seconds(30);
  event.previous_duration_s = 30;
  event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
  ASSERT_TRUE(publisher.publish("checks.events", event));
  EXPECT_EQ(publisher.flush(std::chrono::seconds(10)), 0u);
  EXPECT_EQ(stats.delivered_total(), 2u);
  EXPECT_EQ(stats.delivery_failures.load(), 0u);
  auto records = test::read_topic(broker.bootstrap_servers(), "checks.events", 1, 2);
  ASSERT_EQ(records.size(), 2u);
  auto decoded = decode_state_event(records[1].value);
  ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded));
  EXPECT_EQ(std::get<StateEvent>(decoded).to, SiteStatus::kDown);
}

}  // namespace
}  // namespace hc::producer
