// How hc --producer reaches its targets, observed at local servers: the per-host limit
// (max_concurrent_per_host) counted by a server that sees every connection; proxies, through
// a CONNECT proxy written here that counts the tunnels it is asked for.
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "hc/common/message.h"
#include "hc/common/mutex.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/local_tcp_server.h"
#include "hc/test/support.h"
#include "hc/test/test_certificates.h"
#include "producer_run.h"

namespace hc::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Reads the request head, holds the connection for `hold` (a slow server: checks of the host
// pile up), stops counting it and answers 200.
void serve_slowly(int fd, test::ConcurrentTcpServer& server, milliseconds hold) {
  if (!test::read_request_head(fd)) return;
  std::this_thread::sleep_for(hold);
  // Before the reply: once the client has it, it may open the next connection.
  server.close_count();
  test::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
}

// A producer config of `sites` http sites on one server, every site due each second.
std::filesystem::path write_config(const test::TempDir& dir, const test::DevBroker& broker,
                                   int port, int sites, const std::string& defaults) {
  std::filesystem::path config = dir.path() / "config.yaml";
  std::ofstream out(config);
  out << "healthcheck-producer-config:\n"
      << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
      << "  check_threads: 4\n"
      << "  defaults:\n"
      << "    polling_interval_in_seconds: 1\n"
      << "    timeout_ms: 10000\n"
      << "    destination_topic: healthcheck\n"
      << defaults << "  websites:\n";
  for (int i = 0; i < sites; ++i) {
    out << "    - url: http://127.0.0.1:" << port << "/?site=" << i << "\n";
  }
  return config;
}

// The "waited for host N" of the producer's totals line at its stop; -1 when absent.
long waited_for_host_at_stop(const std::string& log) {
  const std::size_t totals = log.rfind("producer totals over");
  if (totals == std::string::npos) return -1;
  const std::string label = "waited for host ";
  const std::size_t at = log.find(label, totals);
  if (at == std::string::npos) return -1;
  return std::strtol(log.c_str() + at + label.size(), nullptr, 10);
}

struct LimitRun {
  std::size_t peak = 0;
  ProducerRun run;
};

// Runs the producer on `sites` sites of one slow server until the server accepted
// `connections`, then stops it.
LimitRun run_against_one_host(const test::DevBroker& broker, int sites, std::size_t connections,
                              const std::string& defaults) {
  test::TempDir dir;
  test::ConcurrentTcpServer server(
      [](int fd, test::ConcurrentTcpServer& self) { serve_slowly(fd, self, milliseconds(50)); });
  const auto config = write_config(dir, broker, server.port(), sites, defaults);
  test::ChildProcess hc = start_producer(broker, config);
  const auto started = std::chrono::steady_clock::now();
  const bool reached =
      test::eventually([&] { return server.accepted() >= connections; }, milliseconds(60000));
  LimitRun result;
  result.run = stop_producer(hc, config, started);
  EXPECT_TRUE(reached) << "the server accepted " << server.accepted() << " connections\n"
                       << result.run.log;
  result.peak = server.peak();
  return result;
}

TEST(HostLimits, FiveHundredSitesOnOneHostNeverOpenMoreThanTheLimit) {
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  const LimitRun limited =
      run_against_one_host(broker, 500, 600, "    max_concurrent_per_host: 3\n");
  EXPECT_EQ(limited.run.exit_code, 0);
  EXPECT_EQ(limited.peak, 3U) << limited.run.log;
  // The checks that waited are counted in the stats line (here the last one, at the stop).
  EXPECT_GT(waited_for_host_at_stop(limited.run.log), 0) << limited.run.log;
}

TEST(HostLimits, TheDefaultLimitIsFour) {
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  const LimitRun limited = run_against_one_host(broker, 100, 150, "");
  EXPECT_EQ(limited.peak, 4U) << limited.run.log;
}

TEST(HostLimits, AHigherLimitLetsMoreConnectionsOpen) {
  // The control: the same sites with a limit above their number open more than 4 at once.
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  const LimitRun unlimited =
      run_against_one_host(broker, 200, 300, "    max_concurrent_per_host: 1000\n");
  EXPECT_GT(unlimited.peak, 4U) << unlimited.run.log;
  EXPECT_EQ(waited_for_host_at_stop(unlimited.run.log), 0) << unlimited.run.log;
}

TEST(HostLimits, TheWaitForASlotIsNotInTheTimings) {
  // With one slot the checks of the host run one after the other. Each is measured from when
  // it got the slot: its [start, start + response time] ends before the next one starts. Were
  // the wait counted, the checks due together would all start together and overlap.
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  test::TempDir dir;
  test::ConcurrentTcpServer server(
      [](int fd, test::ConcurrentTcpServer& self) { serve_slowly(fd, self, milliseconds(100)); });
  const auto config =
      write_config(dir, broker, server.port(), 5, "    max_concurrent_per_host: 1\n");
  test::ChildProcess hc = start_producer(broker, config);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::eventually([&] { return server.accepted() >= 10; }, milliseconds(60000)));
  const ProducerRun run = stop_producer(hc, config, started);
  ASSERT_EQ(run.exit_code, 0) << run.log;

  std::vector<Measurement> measurements;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 1, 10, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << record.value;
    measurements.push_back(std::get<Measurement>(decoded));
  }
  ASSERT_GE(measurements.size(), 5U);
  std::sort(measurements.begin(), measurements.end(),
            [](const auto& a, const auto& b) { return a.measured_at < b.measured_at; });
  for (std::size_t i = 1; i < measurements.size(); ++i) {
    const Measurement& before = measurements[i - 1];
    const Measurement& after = measurements[i];
    EXPECT_LE(before.measured_at + std::chrono::microseconds(before.response_time_us),
              after.measured_at)
        << before.url << " started " << format_timestamp(before.measured_at) << " and took "
        << before.response_time_us << " us; " << after.url << " started "
        << format_timestamp(after.measured_at);
  }
  EXPECT_EQ(server.peak(), 1U);
}

// An HTTP CONNECT proxy on 127.0.0.1 that tunnels only to 127.0.0.1: counts the CONNECTs by
// target port and keeps the Proxy-Authorization header of each port's last one.
class ConnectProxy {
 public:
  ConnectProxy() : server_([this](int fd, test::ConcurrentTcpServer&) { serve(fd); }) {}
  int port() const { return server_.port(); }
  std::size_t connects_to(int port) const {
    MutexLock lock(mutex_);
    const auto found = connects_.find(port);
    return found == connects_.end() ? 0 : found->second;
  }
  std::size_t connects() const {
    MutexLock lock(mutex_);
    std::size_t total = 0;
    for (const auto& [port, count] : connects_) total += count;
    return total;
  }
  std::string authorization_to(int port) const {
    MutexLock lock(mutex_);
    const auto found = authorization_.find(port);
    return found == authorization_.end() ? "<no CONNECT>" : found->second;
  }

 private:
  void serve(int client) {
    const std::optional<std::string> read = test::read_request_head(client);
    if (!read) return;
    const std::string& head = *read;
    const std::string prefix = "CONNECT 127.0.0.1:";
    if (!head.starts_with(prefix)) {
      test::send_all(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const int target_port = std::atoi(head.c_str() + prefix.size());
    std::string authorization;
    const std::string header = "\r\nProxy-Authorization: ";
    if (const std::size_t at = head.find(header); at != std::string::npos) {
      const std::size_t start = at + header.size();
      authorization = head.substr(start, head.find("\r\n", start) - start);
    }
    {
      MutexLock lock(mutex_);
      ++connects_[target_port];
      authorization_[target_port] = authorization;
    }
    const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(target_port));
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(upstream);
      test::send_all(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    test::send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    char buffer[4096];
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    while (::poll(fds, 2, 10000) > 0) {
      bool open = true;
      for (int i = 0; i < 2 && open; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          open = false;
        } else {
          test::send_all(fds[1 - i].fd, std::string(buffer, static_cast<std::size_t>(n)));
        }
      }
      if (!open) break;
    }
    ::close(upstream);
  }

  mutable Mutex mutex_;
  std::map<int, std::size_t> connects_ GUARDED_BY(mutex_);
  std::map<int, std::string> authorization_ GUARDED_BY(mutex_);
  test::ConcurrentTcpServer server_;  // last: its threads use the members above
};

TEST(Proxies, OnlyTheProxyASiteNamesIsUsedAndItsPasswordIsNeverShown) {
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.events", 1}});
  test::TempDir dir;
  const test::TestCa ca(dir.path());
  const test::CertificateFiles leaf =
      ca.issue({.name = "leaf", .dns_names = {}, .for_loopback_ip = true, .days = 30});
  // One https server per site, so the proxy's counts tell the sites apart.
  std::vector<std::unique_ptr<test::LocalHttpServer>> servers;
  for (int i = 0; i < 4; ++i) {
    test::HttpsOptions options;
    options.cert_file = leaf.cert_file;
    options.key_file = leaf.key_file;
    servers.push_back(std::make_unique<test::LocalHttpServer>(options));
    servers.back()->server().Get("/", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("ok", "text/plain");
    });
    servers.back()->start();
  }
  const ConnectProxy proxy;
  const std::string proxy_address = "127.0.0.1:" + std::to_string(proxy.port());
  const std::string named = servers[0]->url("/");     // proxy: its URL, with a password
  const std::string direct = servers[1]->url("/");    // no proxy key: env ignored
  const std::string from_env = servers[2]->url("/");  // proxy: env
  const std::string bypassed = servers[3]->url("/");  // proxy, but no_proxy names the host
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  defaults:\n"
                        << "    polling_interval_in_seconds: 1\n"
                        << "    timeout_ms: 5000\n"
                        << "    destination_topic: healthcheck\n"
                        << "    tls: {ca_file: \"" << ca.cert_file() << "\"}\n"
                        << "  websites:\n"
                        << "    - url: " << named << "\n"
                        << "      proxy: !ENV \"http://checker:${PROXY_PASSWORD}@" << proxy_address
                        << "\"\n"
                        << "    - url: " << direct << "\n"
                        << "    - url: " << from_env << "\n"
                        << "      proxy: env\n"
                        << "    - url: " << bypassed << "\n"
                        << "      proxy: http://" << proxy_address << "\n"
                        << "      no_proxy: [127.0.0.1]\n";
  test::ChildProcess::Options options;
  options.extra_env = {{"KAFKA_BOOTSTRAP_SERVER", broker.bootstrap_servers()},
                       {"PROXY_PASSWORD", "s3cret-proxy-pass"},
                       {"https_proxy", "http://" + proxy_address},
                       {"HTTPS_PROXY", "http://" + proxy_address},
                       {"no_proxy", ""}};
  options.stderr_file = dir.path() / "hc.log";
  options.stdout_file = dir.path() / "hc.out";
  test::ChildProcess hc({test::hc_binary().string(), "--producer", "-c", config.string()}, options);
  const auto started = std::chrono::steady_clock::now();
  const bool proxied = test::eventually(
      [&] {
        return proxy.connects_to(servers[0]->port()) >= 2 &&
               proxy.connects_to(servers[2]->port()) >= 2;
      },
      milliseconds(60000));
  const ProducerRun run = stop_producer(hc, config, started);
  ASSERT_TRUE(proxied) << run.log;
  ASSERT_EQ(run.exit_code, 0) << run.log;

  EXPECT_EQ(proxy.connects_to(servers[1]->port()), 0U) << "https_proxy from the environment used";
  EXPECT_EQ(proxy.connects_to(servers[3]->port()), 0U) << "no_proxy not honoured";
  // The password reached the proxy (from !ENV), and only the site that names it sends it.
  EXPECT_EQ(proxy.authorization_to(servers[0]->port()),
            "Basic Y2hlY2tlcjpzM2NyZXQtcHJveHktcGFzcw==");
  EXPECT_EQ(proxy.authorization_to(servers[2]->port()), "");
  std::map<std::string, Measurement> latest;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 1, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << record.value;
    latest[record.key] = std::get<Measurement>(decoded);
  }
  for (const std::string& url : {named, direct, from_env, bypassed}) {
    ASSERT_TRUE(latest.contains(url)) << url;
    EXPECT_EQ(latest[url].healthy, true) << url << ": " << latest[url].error_detail;
  }
  EXPECT_EQ(run.log.find("s3cret-proxy-pass"), std::string::npos) << run.log;
}

}  // namespace
}  // namespace hc::e2e
