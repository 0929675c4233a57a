// icmp checks on the real socket path: echo requests to 127.0.0.1 over a raw ICMP socket (this
// machine refuses unprivileged ones; the test also forces raw where they are allowed), many
// checks sharing the socket, and the socket choice through an injected socket(2): datagram
// first, raw when datagram is refused, a check error naming both remedies when neither opens.
#include "icmp_checker.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

#include "one_check.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

SiteConfig icmp_site(const std::string& host, int count) {
  SiteConfig config;
  config.url = "icmp://" + host;
  config.check_type = CheckType::kIcmp;
  config.destination_topic = "t";
  config.echo_count = count;
  config.echo_interval = milliseconds(20);
  config.timeout = milliseconds(3000);
  return config;
}

// ::socket, except that the kinds in `refused` fail with EACCES / EPERM as the kernel's would.
SocketOpener refusing(bool datagram, bool raw) {
  return [datagram, raw](int domain, int type, int protocol) {
    const int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if ((kind == SOCK_DGRAM && datagram) || (kind == SOCK_RAW && raw)) {
      errno = kind == SOCK_DGRAM ? EACCES : EPERM;
      return -1;
    }
    return ::socket(domain, type, protocol);
  };
}

// Runs the requests at once on one IcmpChecker (its own event loop, as a CheckRunner has);
// returns the results in order and the socket kind used.
struct IcmpRun {
  std::vector<CheckResult> results;
  std::optional<IcmpSocketKind> kind;
};
IcmpRun run_icmp(const std::vector<IcmpCheckRequest>& requests, const SocketOpener& opener) {
  HttpChecker http;
  AsyncResolver resolver(http.event_loop());
  IcmpChecker icmp(http.event_loop(), resolver, opener);
  std::map<std::size_t, CheckResult> done;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    icmp.start(std::make_shared<const IcmpCheckRequest>(requests[i]),
               [&done, i](CheckResult&& result) { done.emplace(i, std::move(result)); });
  }
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (done.size() < requests.size() && std::chrono::steady_clock::now() < give_up) {
    milliseconds wait(100);
    if (auto due = icmp.next_timeout()) {
      wait = std::clamp(std::chrono::ceil<milliseconds>(*due - std::chrono::steady_clock::now()),
                        milliseconds(0), wait);
    }
    http.run_once(wait);
    icmp.expire();
    icmp.deliver_completions();
  }
  if (done.size() < requests.size()) throw std::runtime_error("icmp checks did not complete");
  EXPECT_EQ(icmp.in_flight(), 0U);
  IcmpRun run;
  for (auto& [index, result] : done) run.results.push_back(std::move(result));
  run.kind = icmp.socket_kind();
  return run;
}

void expect_all_answered(const CheckResult& result) {
  EXPECT_FALSE(result.transport_error) << result.error_detail;
  EXPECT_EQ(result.loss_percent, 0);
  ASSERT_TRUE(result.rtt_min_us && result.rtt_avg_us && result.rtt_max_us);
  EXPECT_LE(*result.rtt_min_us, *result.rtt_avg_us);
  EXPECT_LE(*result.rtt_avg_us, *result.rtt_max_us);
  EXPECT_EQ(result.response_time_us, *result.rtt_avg_us);
  EXPECT_EQ(result.address, "127.0.0.1");
}

TEST(IcmpCheck, LoopbackAnswersEveryRequestOverARawSocket) {
  const IcmpRun run =
      run_icmp({IcmpCheckRequest{"127.0.0.1", 4, milliseconds(20), milliseconds(3000)}},
               refusing(/*datagram=*/true, /*raw=*/false));
  EXPECT_EQ(run.kind, IcmpSocketKind::kRaw);
  expect_all_answered(run.results.at(0));
}

TEST(IcmpCheck, ThroughTheCheckRunnerALoopbackSiteIsHealthyWithItsMeasures) {
  SiteConfig site = icmp_site("localhost", 3);  // a name: looked up on the loop (/etc/hosts)
  site.max_loss_percent = 0;
  const Checked checked = check_once(site);
  expect_all_answered(checked.result);
  EXPECT_TRUE(checked.verdict.healthy)
      << ::testing::PrintToString(checked.verdict.failed_conditions);
}

TEST(IcmpCheck, ManyChecksShareTheSocketAndEachGetsItsOwnReplies) {
  std::vector<IcmpCheckRequest> requests;
  requests.reserve(40);
  for (int i = 0; i < 40; ++i) {
    requests.push_back(IcmpCheckRequest{"127.0.0." + std::to_string(1 + i % 4), 3, milliseconds(5),
                                        milliseconds(5000)});
  }
  const IcmpRun run = run_icmp(requests, system_socket_opener());
  ASSERT_EQ(run.results.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const CheckResult& result = run.results[i];
    EXPECT_FALSE(result.transport_error) << i << ": " << result.error_detail;
    EXPECT_EQ(result.loss_percent, 0) << i;
    EXPECT_EQ(result.address, requests[i].host) << i;
  }
}

TEST(IcmpSocketChoice, DatagramFirstThenRawThenNeither) {
  EXPECT_EQ(open_icmp_socket(refusing(true, false)).kind, IcmpSocketKind::kRaw);
  // A datagram socket is what an unrefused opener gives first (faked: the kernel here refuses
  // it, ping_group_range being "1 0").
  int calls = 0;
  const IcmpSocket datagram = open_icmp_socket([&calls](int, int type, int) {
    ++calls;
    return (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_DGRAM ? 1000 : -1;  // never used
  });
  EXPECT_EQ(datagram.kind, IcmpSocketKind::kDatagram);
  EXPECT_EQ(calls, 1);
  const IcmpSocket none = open_icmp_socket(refusing(true, true));
  EXPECT_FALSE(none.kind);
  EXPECT_EQ(none.fd, -1);
  EXPECT_NE(none.problem.find("net.ipv4.ping_group_range"), std::string::npos) << none.problem;
  EXPECT_NE(none.problem.find("CAP_NET_RAW"), std::string::npos) << none.problem;
  EXPECT_EQ(icmp_socket_problem(refusing(true, true)), none.problem);
  EXPECT_EQ(icmp_socket_problem(refusing(true, false)), std::nullopt);
}

TEST(IcmpCheck, WithoutAnyIcmpSocketTheCheckFailsSayingWhy) {
  const Checked checked = check_once(icmp_site("127.0.0.1", 2), refusing(true, true));
  EXPECT_EQ(checked.result.transport_error, CheckError::kInternal);
  EXPECT_NE(checked.result.error_detail.find("CAP_NET_RAW"), std::string::npos)
      << checked.result.error_detail;
  EXPECT_FALSE(checked.result.loss_percent) << "nothing was sent: no loss measured";
  EXPECT_FALSE(checked.verdict.healthy);
}

TEST(IcmpCheck, CancelAllAbandonsChecksInFlight) {
  HttpChecker http;
  AsyncResolver resolver(http.event_loop());
  IcmpChecker icmp(http.event_loop(), resolver);
  bool called = false;
  icmp.start(std::make_shared<const IcmpCheckRequest>(
                 IcmpCheckRequest{"127.0.0.1", 3, milliseconds(1000), milliseconds(5000)}),
             [&called](CheckResult&&) { called = true; });
  EXPECT_EQ(icmp.in_flight(), 1U);
  EXPECT_EQ(icmp.cancel_all(), 1U);
  EXPECT_EQ(icmp.in_flight(), 0U);
  EXPECT_FALSE(icmp.next_timeout());
  icmp.expire();
  icmp.deliver_completions();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace hc::producer
