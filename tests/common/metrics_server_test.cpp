#include "hc/common/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "hc/common/http_server.h"
#include "hc/common/metric_families.h"

namespace hc {
namespace {

TEST(HostPort, ParsesHostPortForms) {
  using http::parse_host_port;
  auto v4 = parse_host_port("127.0.0.1:9464");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = parse_host_port("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  auto any = parse_host_port(":9464");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->host, "0.0.0.0");
  EXPECT_FALSE(parse_host_port("localhost"));
  EXPECT_FALSE(parse_host_port("127.0.0.1:99999"));
  EXPECT_FALSE(parse_host_port("127.0.0.1:http"));
}

TEST(MetricsServer, ServesRegistryAndHealthOverHttp) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& checks = prometheus::BuildCounter()
                     .Name("hc_test_checks_total")
                     .Help("Checks made")
                     .Register(*registry)
                     .Add({{"outcome", "up"}});
  std::atomic<bool> healthy{true};
  MetricsServer server("127.0.0.1:0", registry, [&]() -> std::optional<std::string> {
    if (healthy) return std::nullopt;
    return "kafka: all brokers down";
  });
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());

  checks.Increment(3);
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("hc_test_checks_total{outcome=\"up\"} 3"), std::string::npos)
      << metrics->body;

  auto ok = client.Get("/healthz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  healthy = false;
  auto down = client.Get("/healthz");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(down->body, "kafka: all brokers down\n");
}

// A blocking loopback TCP connection to `port` that gives up reading after 30 s; -1 on failure.
int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  timeval wait_at_most{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait_at_most, sizeof wait_at_most);
  return fd;
}

TEST(MetricsServer, IsReadOnlyAndBoundedForHostileClients) {
  auto registry = std::make_shared<prometheus::Registry>();
  MetricsServer server("127.0.0.1:0", registry, [] { return std::nullopt; });
  httplib::Client client("127.0.0.1", server.port());

  auto head = client.Head("/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    httplib::Request request;
    request.method = method;
    request.path = "/metrics";
    auto response = client.send(request);
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status, 405) << method;
    EXPECT_EQ(response->get_header_value("Allow"), "GET, HEAD") << method;
  }
  // A POST is refused before its body is read (GET bodies are never read at all).
  auto big_post = client.Post("/healthz", std::string(std::size_t{64} * 1024, 'x'), "text/plain");
  ASSERT_TRUE(big_post);
  EXPECT_EQ(big_post->status, 405);
  EXPECT_EQ(client.Get("/nothing-here")->status, 404);
  // A client that connects and sends nothing is dropped after the read timeout (5 s), not
  // held forever: the server closes the socket, so recv() sees EOF within the bound.
  int fd = connect_to(server.port());
  ASSERT_GE(fd, 0);
  const auto started = std::chrono::steady_clock::now();
  char byte = 0;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0) << "expected the server to close the idle connection";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  close(fd);
}

TEST(MetricsServer, RefusesAnAddressInUseNamingIt) {
  auto registry = std::make_shared<prometheus::Registry>();
  MetricsServer first("127.0.0.1:0", registry, [] { return std::nullopt; });
  std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second(taken, registry, [] { return std::nullopt; });
    FAIL() << "second server bound a port in use";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(taken), std::string::npos) << error.what();
  }
}

// A scrape that does not finish (a stuck collector) takes the only worker: probes still answer.
TEST(MetricsServer, HealthzAnswersWhileAScrapeIsStuck) {
  std::mutex mutex;
  std::condition_variable changed;
  bool scraping = false;
  bool released = false;
  auto stuck = std::make_shared<ScrapeCollectable>([&](MetricFamilyWriter& out) {
    std::unique_lock lock(mutex);
    scraping = true;
    changed.notify_all();
    changed.wait(lock, [&] { return released; });
    out.gauge("hc_in_flight_checks", "In flight", 1);
  });
  MetricsServer server("127.0.0.1:0", stuck, [] { return std::nullopt; });
  auto scrape = std::async(std::launch::async, [&] {
    httplib::Client client("127.0.0.1", server.port());
    return client.Get("/metrics")->status;
  });
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return scraping; });
  }
  httplib::Client probe("127.0.0.1", server.port());
  auto health = probe.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  changed.notify_all();
  EXPECT_EQ(scrape.get(), 200);
}

TEST(ScrapeCollectable, ReadsLiveValuesAtEachScrape) {
  std::atomic<int> checks{0};
  prometheus::Histogram duration(duration_buckets_seconds());
  auto collectable = std::make_shared<ScrapeCollectable>([&](MetricFamilyWriter& out) {
    out.counter("hc_checks_total", "Checks", checks.load(), {{"outcome", "up"}});
    out.counter("hc_checks_total", "Checks", 1, {{"outcome", "timeout"}});
    out.gauge("hc_in_flight_checks", "In flight", 2);
    out.histogram("hc_check_duration_seconds", "Duration", duration);
  });
  MetricsServer server("127.0.0.1:0", collectable, [] { return std::nullopt; });
  httplib::Client client("127.0.0.1", server.port());

  checks = 5;
  duration.Observe(0.003);
  auto body = client.Get("/metrics")->body;
  EXPECT_NE(body.find("# TYPE hc_checks_total counter"), std::string::npos) << body;
  EXPECT_NE(body.find("hc_checks_total{outcome=\"up\"} 5"), std::string::npos) << body;
  EXPECT_NE(body.find("hc_checks_total{outcome=\"timeout\"} 1"), std::string::npos) << body;
  EXPECT_NE(body.find("hc_in_flight_checks 2"), std::string::npos) << body;
  EXPECT_NE(body.find("hc_check_duration_seconds_bucket{le=\"0.005\"} 1"), std::string::npos)
      << body;
  EXPECT_NE(body.find("hc_check_duration_seconds_bucket{le=\"0.0025\"} 0"), std::string::npos)
      << body;

  checks = 6;
  body = client.Get("/metrics")->body;
  EXPECT_NE(body.find("hc_checks_total{outcome=\"up\"} 6"), std::string::npos) << body;
}

}  // namespace
}  // namespace hc
