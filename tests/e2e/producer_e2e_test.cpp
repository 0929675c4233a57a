// End to end: `hc --producer` against hc-devbroker and three local sites for a few seconds,
// then a test consumer reads the topic and checks what was published.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>
#include <variant>

#include "hc/common/message.h"
#include "hc/common/url_digest.h"
#include "hc/test/support.h"
#include "kafka_test_reader.h"
#include "local_http_server.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A loopback port with nothing listening on it (bound, then closed).
int refused_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(ProducerEndToEnd, PublishesOneMeasurementPerCheckKeyedByUrl) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get("/ok", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("<h1>Example Domain</h1>", "text/html");
  });
  web.server().Get("/fail", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content("internal error", "text/plain");
  });
  web.start();
  const std::string ok_url = web.url("/ok");
  const std::string fail_url = web.url("/fail");
  const std::string refused_url = "http://127.0.0.1:" + std::to_string(refused_port()) + "/";

  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  defaults:
    polling_interval_in_seconds: 1
    timeout_ms: 2000
    destination_topic: healthcheck
  websites:
    - url: )" << ok_url << R"(
      regex: "Example\\s+Domain"
    - url: )" << fail_url << R"(
      regex: "Example"
    - url: )" << refused_url << "\n";

  test::ChildProcess::Options options;
  options.extra_env = {{"KAFKA_BOOTSTRAP_SERVER", broker.bootstrap_servers()}};
  options.stderr_file = dir.path() / "hc.log";
  options.stdout_file = dir.path() / "hc.out";
  test::ChildProcess hc({test::hc_binary().string(), "--producer", "-c", config_file.string()},
                        options);
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(seconds(4));  // the run length, not a synchronisation
  hc.send_signal(SIGTERM);
  const auto run_time = std::chrono::steady_clock::now() - started;
  const std::optional<int> exit_code = hc.wait_for_exit(seconds(15));
  auto log = [&] {
    std::ifstream in(dir.path() / "hc.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ASSERT_TRUE(exit_code.has_value()) << "hc did not stop after SIGTERM; log:\n" << log();
  ASSERT_EQ(*exit_code, 0) << log();

  std::map<std::string, std::vector<Measurement>> by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded))
        << std::get<DecodeError>(decoded).detail << ": " << record.value;
    Measurement measurement = std::get<Measurement>(std::move(decoded));
    EXPECT_EQ(record.key, measurement.url);
    by_url[measurement.url].push_back(std::move(measurement));
  }

  // Interval 1 s: one first run within the first second, then one per second.
  const auto max_runs = std::chrono::duration_cast<seconds>(run_time).count() + 1;
  ASSERT_EQ(by_url.size(), 3u) << log();
  for (const auto& [url, measurements] : by_url) {
    EXPECT_GE(measurements.size(), 3u) << url;
    EXPECT_LE(measurements.size(), static_cast<std::size_t>(max_runs)) << url;
    for (const Measurement& measurement : measurements) {
      EXPECT_EQ(measurement.url_digest, url_digest(url));
      EXPECT_FALSE(measurement.producer.empty());
    }
  }
  for (const Measurement& ok : by_url[ok_url]) {
    EXPECT_EQ(ok.status_code, 200);
    EXPECT_FALSE(ok.error.has_value()) << ok.error_detail;
    EXPECT_EQ(ok.regex, "Example\\s+Domain");
    EXPECT_EQ(ok.regex_match, true);
    EXPECT_EQ(ok.body_bytes, 23);
    EXPECT_TRUE(ok.timings.connect_us.has_value());
  }
  for (const Measurement& fail : by_url[fail_url]) {
    EXPECT_EQ(fail.status_code, 500);
    EXPECT_EQ(fail.error, "unexpected_status");
    EXPECT_EQ(fail.error_detail, "HTTP 500");
    EXPECT_EQ(fail.regex_match, false);
  }
  for (const Measurement& refused : by_url[refused_url]) {
    EXPECT_FALSE(refused.status_code.has_value());
    EXPECT_EQ(refused.error, "connect");
    EXPECT_FALSE(refused.regex_match.has_value());
  }
  // Measurements of one site are one interval apart (no drift, no doubles).
  const auto& oks = by_url[ok_url];
  for (std::size_t i = 1; i < oks.size(); ++i) {
    const auto gap = oks[i].measured_at - oks[i - 1].measured_at;
    EXPECT_GT(gap, milliseconds(700));
    EXPECT_LT(gap, milliseconds(1300));
  }
}

}  // namespace
}  // namespace hc
