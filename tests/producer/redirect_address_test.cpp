// Where a redirect may lead, judged by the address each hop connects to (address_policy.h):
// the rules as a table, then through HttpChecker against hosts on the loopback interface of a
// fresh network namespace (169.254.169.254 standing in for a cloud metadata service, 10.1.2.3
// for a private host), with /etc/hosts of a private mount namespace naming the metadata host.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "address_policy.h"
#include "hc/test/forked_report.h"
#include "http_checker.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

AddressRange range_of(const std::string& text) {
  sockaddr_storage storage{};
  if (text.find(':') != std::string::npos) {
    auto& ipv6 = reinterpret_cast<sockaddr_in6&>(storage);
    ipv6.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &ipv6.sin6_addr), 1) << text;
  } else {
    auto& ipv4 = reinterpret_cast<sockaddr_in&>(storage);
    ipv4.sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text.c_str(), &ipv4.sin_addr), 1) << text;
  }
  return address_range(reinterpret_cast<const sockaddr&>(storage));
}

TEST(AddressPolicy, AddressesFallIntoTheirRanges) {
  for (const char* text :
       {"169.254.169.254", "169.254.0.1", "fe80::1", "febf::1", "::ffff:169.254.169.254"}) {
    EXPECT_EQ(range_of(text), AddressRange::kLinkLocal) << text;
  }
  for (const char* text : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(range_of(text), AddressRange::kLoopback) << text;
  }
  for (const char* text :
       {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fd00::5", "fc00::1"}) {
    EXPECT_EQ(range_of(text), AddressRange::kPrivate) << text;
  }
  for (const char* text :
       {"8.8.8.8", "172.32.0.1", "169.253.255.255", "192.169.0.1", "2001:db8::1", "fec0::1"}) {
    EXPECT_EQ(range_of(text), AddressRange::kOther) << text;
  }
}

TEST(AddressPolicy, LinkLocalIsRefusedUnlessTheSiteIsThereAndTheRestOnlyWhenDenied) {
  const RedirectDeny none;
  const RedirectDeny both{true, true};
  using enum AddressRange;
  EXPECT_TRUE(redirect_address_refusal(kLinkLocal, kOther, none));
  EXPECT_TRUE(redirect_address_refusal(kLinkLocal, kLoopback, both));
  EXPECT_FALSE(redirect_address_refusal(kLinkLocal, kLinkLocal, none));
  EXPECT_FALSE(redirect_address_refusal(kLoopback, kOther, none));
  EXPECT_FALSE(redirect_address_refusal(kPrivate, kOther, none));
  EXPECT_TRUE(redirect_address_refusal(kLoopback, kOther, RedirectDeny{true, false}));
  EXPECT_FALSE(redirect_address_refusal(kPrivate, kOther, RedirectDeny{true, false}));
  EXPECT_TRUE(redirect_address_refusal(kPrivate, kLoopback, RedirectDeny{false, true}));
  EXPECT_FALSE(redirect_address_refusal(kLoopback, kLoopback, both));
  EXPECT_FALSE(redirect_address_refusal(kPrivate, kPrivate, both));
  EXPECT_FALSE(redirect_address_refusal(kOther, kLoopback, both));
  EXPECT_EQ(*redirect_address_refusal(kLinkLocal, kOther, none), "a link-local address");
  EXPECT_EQ(*redirect_address_refusal(kPrivate, kOther, both), "a private address (redirect_deny)");
}

// Runs one check to completion.
CheckResult run_check(const std::string& url, RedirectDeny deny = {}) {
  CheckRequest request;
  request.timeout = milliseconds(5000);
  request.follow_redirects = true;
  request.redirect_deny = deny;
  HttpChecker checker;
  std::optional<CheckResult> result;
  checker.start(url, std::make_shared<const CheckRequest>(std::move(request)),
                [&result](CheckResult&& done) { result = std::move(done); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!result && std::chrono::steady_clock::now() < give_up) checker.run_once(milliseconds(100));
  if (!result) throw std::runtime_error("check did not complete within 20 s");
  return std::move(*result);
}

std::string outcome(const CheckResult& result) {
  if (result.transport_error) return "error: " + result.error_detail;
  return std::to_string(result.status_code.value_or(0));
}

// In this (child) process: a network namespace whose loopback also holds 169.254.169.254 and
// 10.1.2.3, /etc/hosts naming meta.test 169.254.169.254, one server on every address; each
// case's outcome, and which addresses the server was asked at, as "name=outcome" lines.
// "skip=why" when the namespaces cannot be made (not root).
std::string cases_in_namespace() {
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
    return std::string("skip=unshare: ") + std::strerror(errno) + "\n";
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return std::string("skip=mount private: ") + std::strerror(errno) + "\n";
  }
  if (std::system("ip link set lo up && ip addr add 169.254.169.254/32 dev lo &&"
                  " ip addr add 10.1.2.3/32 dev lo") != 0) {
    return "skip=ip addr add failed\n";
  }
  char hosts[] = "/tmp/hc-hosts-XXXXXX";
  const int hosts_fd = mkstemp(hosts);
  if (hosts_fd < 0) return "skip=mkstemp failed\n";
  close(hosts_fd);
  std::ofstream(hosts) << "127.0.0.1 localhost\n169.254.169.254 meta.test\n";
  if (mount(hosts, "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
    return std::string("skip=bind /etc/hosts: ") + std::strerror(errno) + "\n";
  }

  httplib::Server server;
  std::mutex mutex;
  std::map<std::string, int> asked_at;  // local address -> requests for /ok
  server.Get("/to", [](const httplib::Request& request, httplib::Response& response) {
    response.status = 302;
    response.set_header("Location", request.get_param_value("u"));
  });
  server.Get("/ok", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex);
    ++asked_at[request.local_addr];
    response.set_content("ok", "text/plain");
  });
  if (!server.bind_to_port("0.0.0.0", 8080)) return "skip=bind 0.0.0.0:8080 failed\n";
  // Bound and listening: connections wait in the backlog until the accept loop runs.
  std::thread serving([&] { server.listen_after_bind(); });

  std::ostringstream out;
  auto run = [&](const std::string& name, const std::string& site, const std::string& target,
                 RedirectDeny deny = {}) {
    out << name << "=" << outcome(run_check(site + "/to?u=" + target, deny)) << "\n";
  };
  run("loopback_to_metadata", "http://127.0.0.1:8080", "http://169.254.169.254:8080/ok");
  run("loopback_to_metadata_by_name", "http://127.0.0.1:8080", "http://meta.test:8080/ok");
  run("metadata_to_itself", "http://169.254.169.254:8080", "http://169.254.169.254:8080/ok");
  run("loopback_to_private", "http://127.0.0.1:8080", "http://10.1.2.3:8080/ok");
  run("loopback_to_private_denied", "http://127.0.0.1:8080", "http://10.1.2.3:8080/ok",
      RedirectDeny{false, true});
  run("private_to_loopback_denied", "http://10.1.2.3:8080", "http://127.0.0.1:8080/ok",
      RedirectDeny{true, false});
  run("loopback_to_loopback_denied", "http://127.0.0.1:8080", "http://127.0.0.1:8080/ok",
      RedirectDeny{true, true});
  {
    std::lock_guard lock(mutex);
    for (const auto& [address, count] : asked_at)
      out << "asked_at_" << address << "=" << count << "\n";
  }
  server.stop();
  serving.join();
  umount(hosts);
  unlink(hosts);
  return out.str();
}

TEST(RedirectAddress, RedirectsAreJudgedByTheAddressEachHopConnectsTo) {
  const test::ForkedReport forked = test::run_forked(cases_in_namespace, std::chrono::minutes(1));
  const std::string& report = forked.text;
  std::map<std::string, std::string> outcomes = forked.values;
  if (outcomes.contains("skip")) GTEST_SKIP() << "needs network namespaces (root): " << report;
  EXPECT_EQ(outcomes["loopback_to_metadata"],
            "error: refused a redirect to 169.254.169.254: a link-local address")
      << report;
  EXPECT_EQ(outcomes["loopback_to_metadata_by_name"],
            "error: refused a redirect to 169.254.169.254: a link-local address")
      << report;
  EXPECT_EQ(outcomes["metadata_to_itself"], "200") << report;
  EXPECT_EQ(outcomes["loopback_to_private"], "200") << report;
  EXPECT_EQ(outcomes["loopback_to_private_denied"],
            "error: refused a redirect to 10.1.2.3: a private address (redirect_deny)")
      << report;
  EXPECT_EQ(outcomes["private_to_loopback_denied"],
            "error: refused a redirect to 127.0.0.1: a loopback address (redirect_deny)")
      << report;
  EXPECT_EQ(outcomes["loopback_to_loopback_denied"], "200") << report;
  // The refused hops never reached the server: the metadata address was asked only by the
  // site that lives there.
  EXPECT_EQ(outcomes["asked_at_169.254.169.254"], "1") << report;
  EXPECT_EQ(outcomes["asked_at_10.1.2.3"], "1") << report;
}

}  // namespace
}  // namespace hc::producer
