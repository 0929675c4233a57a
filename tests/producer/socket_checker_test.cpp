// tcp and tls checks through the CheckRunner (the check loop's seam) against servers on
// loopback: a listening and a closed port, banner servers, a server that sends garbage, and
// TLS servers made with the openssl CLI (valid chain, expiring intermediate, wrong name).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "check_measurement.h"
#include "hc/common/message.h"
#include "hc/test/local_http_server.h"
#include "hc/test/local_tcp_server.h"
#include "hc/test/support.h"
#include "hc/test/test_certificates.h"
#include "one_check.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

SiteConfig site(const std::string& url, CheckType type) {
  SiteConfig config;
  config.url = url;
  config.check_type = type;
  config.destination_topic = "t";
  config.timeout = milliseconds(5000);
  return config;
}

std::string tcp_url(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

TEST(TcpCheck, ListeningPortIsUpWithItsConnectTime) {
  test::TcpServer server([](int fd) { test::hold_open(fd, milliseconds(500)); });
  const Checked checked = check_once(site(tcp_url(server.port()), CheckType::kTcp));
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  ASSERT_TRUE(checked.result.timings.connect_us);
  EXPECT_GE(checked.result.response_time_us, *checked.result.timings.connect_us);
  EXPECT_FALSE(checked.result.status_code);
  EXPECT_TRUE(checked.verdict.healthy);
}

TEST(TcpCheck, ClosedPortIsAConnectError) {
  const Checked checked = check_once(site(tcp_url(test::closed_port()), CheckType::kTcp));
  ASSERT_TRUE(checked.result.transport_error);
  EXPECT_EQ(*checked.result.transport_error, CheckError::kConnect);
  EXPECT_NE(checked.result.error_detail.find("refused"), std::string::npos)
      << checked.result.error_detail;
  EXPECT_FALSE(checked.verdict.healthy);
}

TEST(TcpCheck, BannerMatchingExpectIsHealthyWithoutWaitingForClose) {
  test::TcpServer server([](int fd) {
    test::send_all(fd, "220 hc-test ESMTP ready\r\n");
    test::hold_open(fd);
  });
  SiteConfig config = site(tcp_url(server.port()), CheckType::kTcp);
  config.expect = "^220 ";
  const Checked checked = check_once(config);
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_TRUE(checked.verdict.healthy);
  EXPECT_EQ(checked.verdict.regex_match, true);
  EXPECT_LT(checked.result.response_time_us, 2'000'000) << "ended when expect matched";
}

TEST(TcpCheck, SendIsWrittenAndTheReplyJudged) {
  test::TcpServer server([](int fd) {
    std::string line;
    char byte = 0;
    while (line.find("\r\n") == std::string::npos && ::recv(fd, &byte, 1, 0) == 1) line += byte;
    test::send_all(fd, line == "PING\r\n" ? "+PONG\r\n" : "-ERR\r\n");
    test::hold_open(fd);
  });
  SiteConfig config = site(tcp_url(server.port()), CheckType::kTcp);
  config.send = "PING\r\n";
  config.expect = "^\\+PONG";
  EXPECT_TRUE(check_once(config).verdict.healthy);
}

TEST(TcpCheck, ReplyCutByTheTimeoutFailsExpectNotTheTransport) {
  test::TcpServer server([](int fd) {
    test::send_all(fd, "220-still ");
    test::hold_open(fd);
  });
  SiteConfig config = site(tcp_url(server.port()), CheckType::kTcp);
  config.expect = "^220 ";
  config.timeout = milliseconds(300);
  const Checked checked = check_once(config);
  EXPECT_FALSE(checked.result.transport_error);
  EXPECT_EQ(checked.result.body, "220-still ");
  EXPECT_FALSE(checked.verdict.healthy);
  EXPECT_EQ(checked.verdict.failed_conditions, std::vector<std::string>{"expect"});
}

// Hostile target: megabytes of random bytes (NUL included) instead of a banner.
TEST(TcpCheck, GarbageBannerIsCappedJudgedAndPublishable) {
  test::TcpServer server([](int fd) {
    std::mt19937 random(7);
    std::string garbage(std::size_t{3} * 1024 * 1024, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    test::send_all(fd, garbage);
  });
  SiteConfig config = site(tcp_url(server.port()), CheckType::kTcp);
  config.expect = "^220 ";
  config.max_body_bytes = 4096;
  const Checked checked = check_once(config);
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_EQ(checked.result.body.size(), 4096U);
  EXPECT_TRUE(checked.result.body_truncated);
  EXPECT_EQ(checked.verdict.failed_conditions, std::vector<std::string>{"expect"});
  Measurement measurement =
      make_measurement(*checked.plan, CheckResult(checked.result), Verdict(checked.verdict),
                       WallTime(std::chrono::seconds(1'800'000'000)), "test:1");
  auto decoded = decode_message(encode_message(measurement));
  ASSERT_TRUE(std::holds_alternative<Measurement>(decoded));
  EXPECT_EQ(std::get<Measurement>(decoded).check_type, "tcp");
  EXPECT_EQ(std::get<Measurement>(decoded).regex, "^220 ");
  EXPECT_EQ(std::get<Measurement>(decoded).regex_match, false);
}

TEST(TcpCheck, HostNameIsLookedUpWithoutBlocking) {
  test::TcpServer server([](int fd) { test::hold_open(fd, milliseconds(500)); });
  const Checked checked =
      check_once(site("tcp://localhost:" + std::to_string(server.port()), CheckType::kTcp));
  // localhost may resolve to ::1 first on some hosts; the server listens on 127.0.0.1 only.
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_TRUE(checked.result.timings.dns_us);
}

// Shutdown: a check in flight is abandoned by cancel_all() (the check loop's grace period
// ends so), counted, and its completion never runs.
TEST(TcpCheck, CancelAllAbandonsACheckInFlight) {
  test::TcpServer server([](int fd) { test::hold_open(fd); });
  SiteConfig config = site(tcp_url(server.port()), CheckType::kTcp);
  config.expect = "never sent";
  SitePlans plans = build_site_plans({config}, std::nullopt);
  CheckRunner runner;
  bool completed = false;
  runner.start(plans.plans.at(0), [&completed](CheckResult&&) { completed = true; });
  for (int i = 0; i < 5; ++i) runner.run_once(milliseconds(20));
  EXPECT_EQ(runner.in_flight(), 1U);
  EXPECT_EQ(runner.cancel_all(), 1U);
  EXPECT_EQ(runner.in_flight(), 0U);
  runner.run_once(milliseconds(50));
  EXPECT_FALSE(completed);
}

// TLS: servers on loopback with certificates from a private CA.
class TlsCheck : public ::testing::Test {
 protected:
  void SetUp() override { ca_ = std::make_unique<test::TestCa>(dir_.path()); }

  Checked check_server(const test::CertificateFiles& certificate, const std::string& server_name,
                       std::optional<int> min_cert_days) {
    test::HttpsOptions options;
    options.cert_file = certificate.cert_file;
    options.key_file = certificate.key_file;
    test::LocalHttpServer server(options);
    server.start();
    SiteConfig config = site("tls://127.0.0.1:" + std::to_string(server.port()), CheckType::kTls);
    config.tls.ca_file = ca_->cert_file();
    config.tls.server_name = server_name;
    config.min_cert_days = min_cert_days;
    return check_once(config);
  }

  test::TempDir dir_;
  std::unique_ptr<test::TestCa> ca_;
};

TEST_F(TlsCheck, ValidChainRecordsProtocolCipherAndExpiry) {
  const Checked checked = check_server(
      ca_->issue({.name = "leaf", .dns_names = {}, .for_loopback_ip = true, .days = 30}), "", 20);
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_EQ(checked.result.chain_valid, true);
  ASSERT_TRUE(checked.result.tls_version);
  EXPECT_TRUE(checked.result.tls_version->starts_with("TLSv1."));
  EXPECT_TRUE(checked.result.tls_cipher && !checked.result.tls_cipher->empty());
  EXPECT_TRUE(checked.result.cert_expires_at);
  EXPECT_TRUE(checked.result.timings.tls_us);
  EXPECT_TRUE(checked.verdict.healthy)
      << ::testing::PrintToString(checked.verdict.failed_conditions);
}

TEST_F(TlsCheck, ExpiringIntermediateIsTheChainsSoonestExpiry) {
  const test::TestCa intermediate = ca_->intermediate("intermediate", 5);
  const Checked checked = check_server(
      intermediate.issue({.name = "leaf2", .dns_names = {}, .for_loopback_ip = true, .days = 60}),
      "", 20);
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_EQ(checked.result.chain_valid, true);
  ASSERT_TRUE(checked.result.cert_expires_at && checked.result.chain_expires_at);
  EXPECT_LT(*checked.result.chain_expires_at, *checked.result.cert_expires_at);
  EXPECT_EQ(checked.verdict.failed_conditions, std::vector<std::string>{"cert_days"});
}

TEST_F(TlsCheck, WrongNameIsAnInvalidChainNotATransportError) {
  const Checked checked = check_server(
      ca_->issue({.name = "leaf3", .dns_names = {}, .for_loopback_ip = true, .days = 30}),
      "not-the-name.test", std::nullopt);
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_EQ(checked.result.chain_valid, false);
  EXPECT_EQ(checked.verdict.failed_conditions, std::vector<std::string>{"chain"});
}

TEST_F(TlsCheck, PlainTcpServerIsATlsError) {
  test::TcpServer server([](int fd) { test::send_all(fd, "220 not tls\r\n"); });
  SiteConfig config = site("tls://127.0.0.1:" + std::to_string(server.port()), CheckType::kTls);
  const Checked checked = check_once(config);
  ASSERT_TRUE(checked.result.transport_error);
  EXPECT_EQ(*checked.result.transport_error, CheckError::kTls);
}

}  // namespace
}  // namespace hc::producer
