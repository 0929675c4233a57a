// Every Kafka broker down for 30 s (hc-devbroker's all-down / all-up): under hc --producer
// the checks go on, measurements queue up to max_queued_messages and only those beyond are
// dropped and counted; under hc --consumer consumption pauses and resumes with nothing lost.
#include <regex>

#include "fault_fixture.h"
#include "hc/test/local_http_server.h"

namespace hc::faults {
namespace {

constexpr auto kOutage = seconds(30);  // the issue's figure

// The producer's closing log line: "... published P, dropped D, publish errors E, delivered
// X, delivery failures F, ... undelivered at shutdown U". -1 when `name` is not in it.
long total_from_log(const std::string& log, const std::string& name) {
  const auto line_start = log.rfind("producer totals over");
  if (line_start == std::string::npos) return -1;
  const std::regex pattern(name + " ([0-9]+)");
  std::smatch match;
  const std::string line = log.substr(line_start, log.find('\n', line_start) - line_start);
  return std::regex_search(line, match, pattern) ? std::stol(match[1]) : -1;
}

TEST(BrokerOutage, ProducerQueuesUpToItsBoundDropsOnlyBeyondAndDeliversTheRestAfter30sDown) {
  constexpr int kSites = 40;        // checked every second: 40 measurements/s
  constexpr long kMaxQueued = 300;  // the bound: ~8 s of measurements
  constexpr int kPartitions = 4;
  test::DevBroker broker({{"healthcheck", kPartitions}});
  test::LocalHttpServer web;
  web.server().Get(R"(/site/\d+)", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();

  test::TempDir dir;
  const auto config_file = dir.path() / "producer.yaml";
  {
    std::ofstream out(config_file);
    out << "healthcheck-producer-config:\n"
        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
        << "  max_queued_messages: " << kMaxQueued << "\n"
        << "  defaults: { polling_interval_in_seconds: 1, timeout_ms: 1000, "
           "destination_topic: healthcheck }\n"
        << "  websites:\n";
    for (int site = 0; site < kSites; ++site) {
      out << "    - url: " << web.url("/site/" + std::to_string(site)) << "\n";
    }
  }
  const int port = test::unused_loopback_port();
  test::ChildProcess::Options options;
  options.stdout_file = dir.path() / "producer.log";
  options.stderr_file = options.stdout_file;
  test::ChildProcess producer({test::hc_binary().string(), "--producer", "-c", config_file.string(),
                               "--metrics-addr", "127.0.0.1:" + std::to_string(port)},
                              options);
  auto log = [&] { return test::read_file(options.stdout_file); };
  ASSERT_TRUE(test::eventually(
      [&] { return scrape_metric(port, "hc_delivered_messages_total") >= 2 * kSites; },
      seconds(30)))
      << log();

  broker.must("all-down");
  const auto down_at = std::chrono::steady_clock::now();
  // Once a second while down: a measurement may only be dropped once the queue is full.
  double depth = 0;
  double dropped = 0;
  bool kafka_down_reported = false;
  std::string healthz_during;
  int samples = 0;
  while (std::chrono::steady_clock::now() < down_at + kOutage) {
    std::this_thread::sleep_for(seconds(1));
    auto metrics = http_get(port, "/metrics");
    ASSERT_TRUE(metrics) << "no /metrics while Kafka is down\n" << log();
    depth = metric_sum(metrics->body, "hc_queue_depth_messages");
    const double dropped_now = metric_sum(metrics->body, "hc_dropped_messages_total");
    // The gauge lags the counter by at most one poll: allow one second of measurements.
    if (dropped_now > dropped) {
      EXPECT_GE(depth, kMaxQueued - kSites) << "dropped " << dropped_now << " with queue " << depth;
    }
    dropped = dropped_now;
    kafka_down_reported |= metric_sum(metrics->body, "hc_kafka_up") == 0;
    if (auto health = http_get(port, "/healthz"); health && health->status == 503) {
      healthz_during = health->body;
    }
    ++samples;
  }
  EXPECT_GE(samples, 20);
  EXPECT_TRUE(kafka_down_reported) << "hc_kafka_up stayed 1 for 30 s of outage";
  EXPECT_EQ(healthz_during,
            "kafka: all brokers down (messages queue up to the bound, then are "
            "dropped)\n");
  EXPECT_GE(depth, kMaxQueued - kSites) << "the queue never filled";
  EXPECT_GT(dropped, 0) << "30 s of 40 checks/s should overflow a queue of 300";

  broker.must("all-up");
  const auto up_at = std::chrono::steady_clock::now();
  const bool drained = test::eventually(
      [&] {
        auto metrics = http_get(port, "/metrics");
        return metrics && metric_sum(metrics->body, "hc_queue_depth_messages") < kSites &&
               metric_sum(metrics->body, "hc_delivered_messages_total") >
                   metric_sum(metrics->body, "hc_published_messages_total") - kSites;
      },
      seconds(60));
  const double recovery_s = seconds_since(up_at);
  ASSERT_TRUE(drained) << log();

  producer.send_signal(SIGTERM);
  ASSERT_EQ(producer.wait_for_exit(seconds(30)), 0) << log();
  const std::string text = log();
  const long published = total_from_log(text, "published");
  const long delivered = total_from_log(text, "delivered");
  const long drops = total_from_log(text, "dropped");
  const auto records =
      test::read_topic(broker.bootstrap_servers(), "healthcheck", kPartitions,
                       static_cast<std::size_t>(std::max(delivered, 0L)) + 1, seconds(5));
  report_figures({"broker down 30 s under the producer", recovery_s, published,
                  static_cast<long>(records.size()), 0, drops});
  EXPECT_GT(published, 0) << text;
  EXPECT_EQ(delivered, published) << text;
  EXPECT_EQ(total_from_log(text, "delivery failures"), 0) << text;
  EXPECT_EQ(total_from_log(text, "publish errors"), 0) << text;
  EXPECT_EQ(total_from_log(text, "undelivered at shutdown"), 0) << text;
  EXPECT_GE(drops, static_cast<long>(dropped));
  // Everything delivered is in the topic, once (idempotent producer: no duplicate on retry).
  EXPECT_EQ(static_cast<long>(records.size()), delivered);
  std::set<std::string> distinct;
  for (const auto& record : records) distinct.insert(record.value);
  EXPECT_EQ(distinct.size(), records.size()) << "a measurement was delivered twice";
}

TEST(BrokerOutage, ConsumerPausesFor30sDownThenResumesAndLosesNothing) {
  constexpr int kPartitions = 8;
  constexpr int kSites = 200;
  constexpr long kMessages = 40'000;
  test::TempDir dir;
  test::DevBroker broker({{"checks", kPartitions}, {"checks.dlq", 4}});
  test::TempPostgres postgres;
  StreamProducer producer(broker.bootstrap_servers());
  producer.send_stream("checks", 0, kMessages / 2, kSites);
  producer.flush();
  FaultConsumer consumer(dir.path(), "consumer", broker.bootstrap_servers(),
                         {{"checks", postgres.uri(), "healthcheck"}}, {});
  ASSERT_TRUE(test::eventually([&] { return count_rows(postgres) >= kMessages / 10; }, seconds(60)))
      << consumer.log_tail();

  broker.must("all-down");
  const auto down_at = std::chrono::steady_clock::now();
  // Produced during the outage: they wait in the test producer and arrive once it is over.
  producer.send_stream("checks", kMessages / 2, kMessages / 2, kSites);
  std::string during;
  EXPECT_TRUE(test::eventually(
      [&] {
        auto reply = consumer.healthz();
        during = reply ? std::to_string(reply->status) + " " + reply->body : "no answer";
        return during == "503 kafka: all brokers down\n";
      },
      kOutage - seconds(5)))
      << "/healthz while every broker is down: " << during;
  EXPECT_EQ(consumer.metric("hc_kafka_up"), 0);
  std::this_thread::sleep_until(down_at + kOutage);
  ASSERT_TRUE(consumer.running()) << consumer.log_tail();
  // Still down at the end: records fetched before the outage must not have turned it back.
  auto at_end = consumer.healthz();
  EXPECT_EQ(at_end ? std::to_string(at_end->status) + " " + at_end->body : "no answer",
            "503 kafka: all brokers down\n");
  EXPECT_EQ(consumer.metric("hc_kafka_up"), 0);

  broker.must("all-up");
  const auto up_at = std::chrono::steady_clock::now();
  producer.flush();
  const bool complete =
      test::eventually([&] { return count_rows(postgres) == kMessages; }, seconds(120));
  EXPECT_TRUE(test::eventually(
      [&] {
        auto reply = consumer.healthz();
        return reply && reply->status == 200;
      },
      seconds(30)))
      << "/healthz after the brokers came back\n"
      << consumer.log_tail();
  EXPECT_EQ(consumer.metric("hc_kafka_up"), 1);
  report_figures({"broker down 30 s under the consumer", seconds_since(up_at), kMessages,
                  count_rows(postgres), 0, 0});
  ASSERT_TRUE(complete) << count_rows(postgres) << "\n" << consumer.log_tail();
  EXPECT_EQ(verify_stream(postgres, kMessages, kSites), "");
  EXPECT_EQ(consumer.stop(), 0) << consumer.log_tail();
  // Every commit fails while the coordinator is away (one per batch, ~20 a second here): the
  // log says so once per kind of failure a minute, not once per commit.
  const std::string log = consumer.log();
  std::size_t commit_failure_lines = 0;
  for (auto at = log.find("committing offsets failed"); at != std::string::npos;
       at = log.find("committing offsets failed", at + 1)) {
    ++commit_failure_lines;
  }
  EXPECT_LE(commit_failure_lines, 4U) << consumer.log_tail();
}

}  // namespace
}  // namespace hc::faults
