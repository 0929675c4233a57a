#include "hc/common/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>

#include "hc/common/metric_families.h"

namespace hc {
namespace {

TEST(HostPort, ParsesHostPortForms) {
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
