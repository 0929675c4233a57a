// ip_version through the CheckRunner: http (curl's CURLOPT_IPRESOLVE), tcp and tls (the
// AsyncResolver) reach a name's IPv4 or IPv6 address as told, and record the address used.
// The name is dual.test, on 127.0.0.1 and ::1 in a network and mount namespace's /etc/hosts
// (root; else skipped), and v4only.test on 127.0.0.1; one server listens on ::1 only, one on
// 127.0.0.1 only.
#include <gtest/gtest.h>
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
#include <string>

#include "hc/test/forked_report.h"
#include "hc/test/local_tcp_server.h"
#include "one_check.h"

namespace hc::producer {
namespace {

void answer_http(int fd, test::ConcurrentTcpServer& /*server*/) {
  if (!test::read_request_head(fd)) return;
  test::send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
}

SiteConfig site(const std::string& url, IpVersion version) {
  SiteConfig config;
  config.url = url;
  config.check_type = url.starts_with("tcp:") ? CheckType::kTcp : CheckType::kHttp;
  config.timeout = std::chrono::milliseconds(5000);
  config.destination_topic = "t";
  config.ip_version = version;
  return config;
}

// "error connect" / "ok ::1": how the check ended and over which address.
std::string outcome(const Checked& checked) {
  if (checked.result.transport_error) {
    return "error " + std::string(to_string(*checked.result.transport_error));
  }
  return "ok " + checked.result.address.value_or("<no address>");
}

// In this (child) process: the namespaces, the two servers, each case as "name=outcome".
std::string cases_in_namespace() {
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
    return std::string("skip=unshare: ") + std::strerror(errno) + "\n";
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return std::string("skip=mount private: ") + std::strerror(errno) + "\n";
  }
  if (std::system("ip link set lo up") != 0) return "skip=ip link set lo up failed\n";
  char hosts[] = "/tmp/hc-hosts-XXXXXX";
  const int hosts_fd = mkstemp(hosts);
  if (hosts_fd < 0) return "skip=mkstemp failed\n";
  close(hosts_fd);
  std::ofstream(hosts)
      << "127.0.0.1 localhost\n127.0.0.1 dual.test\n::1 dual.test\n127.0.0.1 v4only.test\n";
  if (mount(hosts, "/etc/hosts", nullptr, MS_BIND, nullptr) != 0) {
    return std::string("skip=bind /etc/hosts: ") + std::strerror(errno) + "\n";
  }
  std::ostringstream out;
  {
    const test::ConcurrentTcpServer v6_only(answer_http, "::1");
    const test::ConcurrentTcpServer v4_only(answer_http, "127.0.0.1");
    const std::string p6 = std::to_string(v6_only.port());
    const std::string p4 = std::to_string(v4_only.port());
    auto run = [&](const std::string& name, const std::string& url, IpVersion version) {
      out << name << "=" << outcome(check_once(site(url, version))) << "\n";
    };
    run("http_v6_server_ip6", "http://dual.test:" + p6 + "/", IpVersion::kV6);
    run("http_v6_server_ip4", "http://dual.test:" + p6 + "/", IpVersion::kV4);
    run("http_v4_server_ip4", "http://dual.test:" + p4 + "/", IpVersion::kV4);
    run("http_v4_server_ip6", "http://dual.test:" + p4 + "/", IpVersion::kV6);
    run("tcp_v6_server_ip6", "tcp://dual.test:" + p6, IpVersion::kV6);
    run("tcp_v6_server_ip4", "tcp://dual.test:" + p6, IpVersion::kV4);
    run("tcp_v4_server_ip4", "tcp://dual.test:" + p4, IpVersion::kV4);
    run("tcp_v4_server_ip6", "tcp://dual.test:" + p4, IpVersion::kV6);
    run("tcp_v4_server_any", "tcp://dual.test:" + p4, IpVersion::kAny);
    run("tcp_v4_name_ip6", "tcp://v4only.test:" + p6, IpVersion::kV6);
  }
  umount(hosts);
  unlink(hosts);
  return out.str();
}

TEST(AddressFamily, IpVersionPicksTheNamesAddressAndRecordsIt) {
  const std::map<std::string, std::string> outcomes =
      test::run_forked(cases_in_namespace, std::chrono::minutes(2)).values;
  if (outcomes.contains("skip")) {
    GTEST_SKIP() << "needs network and mount namespaces (root): " << outcomes.at("skip");
  }
  ASSERT_FALSE(outcomes.contains("error")) << outcomes.at("error");
  const std::map<std::string, std::string> expected = {
      {"http_v6_server_ip6", "ok ::1"},
      {"http_v6_server_ip4", "error connect"},
      {"http_v4_server_ip4", "ok 127.0.0.1"},
      {"http_v4_server_ip6", "error connect"},
      {"tcp_v6_server_ip6", "ok ::1"},
      {"tcp_v6_server_ip4", "error connect"},
      {"tcp_v4_server_ip4", "ok 127.0.0.1"},
      {"tcp_v4_server_ip6", "error connect"},
      {"tcp_v4_server_any", "ok 127.0.0.1"},
      // A name with no IPv6 address (not localhost: c-ares gives it ::1 of its own).
      {"tcp_v4_name_ip6", "error dns"},
  };
  EXPECT_EQ(outcomes, expected);
}

TEST(AddressFamily, TheAddressOfALiteralIsRecorded) {
  const test::ConcurrentTcpServer v6_only(answer_http, "::1");
  const test::ConcurrentTcpServer v4_only(answer_http, "127.0.0.1");
  const Checked http =
      check_once(site("http://[::1]:" + std::to_string(v6_only.port()) + "/", IpVersion::kAny));
  EXPECT_EQ(outcome(http), "ok ::1");
  const Checked tcp =
      check_once(site("tcp://127.0.0.1:" + std::to_string(v4_only.port()), IpVersion::kV4));
  EXPECT_EQ(outcome(tcp), "ok 127.0.0.1");
}

}  // namespace
}  // namespace hc::producer
