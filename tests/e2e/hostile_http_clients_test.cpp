// Hostile HTTP clients against both of hc's servers, as built binaries: 64 connections that
// send one header line every half second and never finish, plus one client sending a 32 MiB
// header again and again, all at once for 8 s. Meanwhile /healthz (and hc serve's page) must
// answer each probe within 1 s, and the server's resident memory may grow less than 10 MB and
// must come back once the attackers are gone.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "hc/test/consumer_process.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr int kSlowClients = 64;
constexpr std::size_t kFloodBytes = std::size_t{32} << 20;
constexpr auto kAttack = seconds(8);
constexpr auto kMaxAnswerTime = milliseconds(1000);
constexpr long kMaxRssGrowthKb = 10L * 1024;
// Under AddressSanitizer a process's RSS says nothing of its own use (freed memory waits in a
// quarantine of up to 256 MB, plus shadow memory): the memory bounds hold in normal builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsItsOwnUse = false;
#else
constexpr bool kRssIsItsOwnUse = true;
#endif

// VmRSS of `pid` in kB; -1 when it cannot be read.
long resident_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A loopback TCP connection to `port`; -1 when refused.
int connect_to(int port, bool nonblocking_after = false) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  if (nonblocking_after) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

bool send_all(int fd, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// The status line of GET `path` on a fresh connection ("" when none came).
std::string probe(int port, const std::string& path) {
  const int fd = connect_to(port);
  if (fd < 0) return "";
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string answer;
  char buffer[4096];
  ssize_t n = 0;
  while (answer.find("\r\n") == std::string::npos && (n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

// 64 connections each sending a header line every 500 ms, never ending their head; one
// closed by the server is opened again.
void drip(int port, const std::atomic<bool>& stop) {
  std::vector<int> fds(kSlowClients, -1);
  for (int round = 0; !stop; ++round) {
    for (int& fd : fds) {
      if (fd >= 0 && !send_all(fd, "X-Slow-" + std::to_string(round) + ": 1\r\n")) {
        close(fd);
        fd = -1;
      }
      if (fd < 0) {
        fd = connect_to(port, true);
        if (fd >= 0 && !send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n")) {
          close(fd);
          fd = -1;
        }
      }
    }
    std::this_thread::sleep_for(milliseconds(500));
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

// One request head of 32 MiB without an end, sent until the server stops reading; again.
void flood(int port, const std::atomic<bool>& stop) {
  const std::string chunk(std::size_t{64} << 10, 'f');
  while (!stop) {
    const int fd = connect_to(port);
    if (fd < 0) continue;
    bool open = send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ");
    for (std::size_t sent = 0; open && sent < kFloodBytes && !stop; sent += chunk.size()) {
      open = send_all(fd, chunk);
    }
    close(fd);
  }
}

struct AttackOutcome {
  long rss_before_kb = 0;
  long rss_peak_kb = 0;
  milliseconds slowest_answer{0};
  int probes = 0;
  std::vector<std::string> failures;  // "path: status line" of probes not answered 200
};

// Attacks `port` for kAttack while probing each of `paths` in turn and sampling `server`'s
// memory.
AttackOutcome attack(int port, pid_t server, const std::vector<std::string>& paths) {
  AttackOutcome outcome;
  outcome.rss_before_kb = resident_kb(server);
  outcome.rss_peak_kb = outcome.rss_before_kb;
  std::atomic<bool> stop{false};
  std::thread dripping([&] { drip(port, stop); });
  std::thread flooding([&] { flood(port, stop); });
  const auto until = steady_clock::now() + kAttack;
  while (steady_clock::now() < until) {
    for (const std::string& path : paths) {
      const auto started = steady_clock::now();
      const std::string status = probe(port, path);
      const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
      outcome.slowest_answer = std::max(outcome.slowest_answer, took);
      ++outcome.probes;
      if (status != "HTTP/1.1 200 OK")
        outcome.failures.push_back(fmt::format("{}: '{}'", path, status));
    }
    outcome.rss_peak_kb = std::max(outcome.rss_peak_kb, resident_kb(server));
    std::this_thread::sleep_for(milliseconds(100));
  }
  stop = true;
  dripping.join();
  flooding.join();
  return outcome;
}

void expect_withstood(const AttackOutcome& outcome, pid_t server, const std::string& log) {
  EXPECT_GT(outcome.probes, 10);
  EXPECT_TRUE(outcome.failures.empty())
      << outcome.failures.size() << " probes failed, first: " << outcome.failures.front() << "\n"
      << log;
  EXPECT_LT(outcome.slowest_answer, kMaxAnswerTime);
  long after_kb = 0;
  if (kRssIsItsOwnUse) {
    EXPECT_LT(outcome.rss_peak_kb - outcome.rss_before_kb, kMaxRssGrowthKb)
        << "before " << outcome.rss_before_kb << " kB, peak " << outcome.rss_peak_kb << " kB";
    // Back within a quarter of the allowed growth once the connections are closed.
    EXPECT_TRUE(test::eventually(
        [&] {
          after_kb = resident_kb(server);
          return after_kb - outcome.rss_before_kb < kMaxRssGrowthKb / 4;
        },
        seconds(10)))
        << "before " << outcome.rss_before_kb << " kB, after " << after_kb << " kB";
  }
  std::cerr << "attack: " << outcome.probes << " probes, slowest " << outcome.slowest_answer.count()
            << " ms; RSS before " << outcome.rss_before_kb << " kB, peak " << outcome.rss_peak_kb
            << " kB, after " << after_kb << " kB\n";
}

TEST(HostileHttpClients, HcServeKeepsAnsweringItsPageAndHealthz) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(
      test::run_command({test::hc_binary().string(), "migrate", "-c", config.string()}).exit_code,
      0);
  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, port);
  ASSERT_TRUE(test::eventually([&] { return probe(port, "/") == "HTTP/1.1 200 OK"; }, seconds(20)));

  const auto outcome = attack(port, serve.pid(), {"/healthz", "/"});
  expect_withstood(outcome, serve.pid(), test::read_file(dir.path() / "serve.log"));
  EXPECT_EQ(probe(port, "/api/v1/status"), "HTTP/1.1 200 OK");
}

TEST(HostileHttpClients, TheConsumersHealthzKeepsAnswering) {
  test::TempPostgres postgres;
  test::DevBroker broker({{"checks"}});
  test::TempDir dir;
  const int port = test::unused_loopback_port();
  test::ConsumerProcess::Options options;
  options.extra_args = {"--metrics-addr", "127.0.0.1:" + std::to_string(port)};
  test::ConsumerProcess consumer(dir.path(), "consumer", broker.bootstrap_servers(),
                                 {{"checks", postgres.uri(), "healthcheck"}}, options);
  ASSERT_TRUE(
      test::eventually([&] { return probe(port, "/healthz") == "HTTP/1.1 200 OK"; }, seconds(30)))
      << consumer.log();

  const auto outcome = attack(port, consumer.process().pid(), {"/healthz"});
  expect_withstood(outcome, consumer.process().pid(), consumer.log());
  EXPECT_EQ(probe(port, "/metrics"), "HTTP/1.1 200 OK");
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

}  // namespace
}  // namespace hc
