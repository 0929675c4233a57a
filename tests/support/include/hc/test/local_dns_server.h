// Local DNS servers for the dns checks' tests: Debian's dnsmasq on a free loopback port
// with records a test can change, and a UDP server whose replies a test writes (silent,
// garbage).
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hc/test/support.h"
#include "hc/tools/udp_server.h"

namespace hc::test {

// A UDP socket on 127.0.0.1 that a thread serves: `answer` turns each query into the reply
// (nullopt: no reply). The same server hc-demo-sites answers DNS with.
using UdpServer = tools::UdpServer;

// dnsmasq on 127.0.0.1:port, authoritative for hc.test (unknown names: NXDOMAIN), serving its
// records from a hosts file it rereads at SIGHUP;
// names under slow.test are forwarded to `silent_port`, where nothing answers.
class Dnsmasq {
 public:
  explicit Dnsmasq(int silent_port) : port_(unused_loopback_port()) {
    hosts_ = dir_.path() / "hosts";
    set_hosts("127.0.0.2 www.hc.test\n");
    const passwd* user = getpwuid(geteuid());
    ChildProcess::Options options;
    options.stdout_file = dir_.path() / "dnsmasq.log";
    options.stderr_file = options.stdout_file;
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
            "--port=" + std::to_string(port_), "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts_.string(),
            std::string("--user=") + (user ? user->pw_name : "nobody"),
            "--pid-file=", "--log-facility=-", "--mx-host=hc.test,mail.hc.test,10",
            "--txt-record=hc.test,v=hc1", "--cname=alias.hc.test,www.hc.test", "--local=/hc.test/",
            "--server=/slow.test/127.0.0.1#" + std::to_string(silent_port)},
        options);
  }
  int port() const { return port_; }
  // Replaces the hosts file and makes dnsmasq read it again.
  void set_hosts(const std::string& lines) {
    std::ofstream(hosts_) << lines;
    if (process_) process_->send_signal(SIGHUP);
  }

 private:
  TempDir dir_;
  int port_;
  std::filesystem::path hosts_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace hc::test
