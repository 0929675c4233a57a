// hc-demo-sites: the local web server that ./scripts/demo checks, so the demo never leaves
// the machine. Listens on 127.0.0.1 only. One page per outcome the demo wants to show:
//
//   /fast     200, body contains "hc demo: all systems operational" (the demo regex)
//   /slow     200 after --slow-ms (default 3000), longer than the demo's 1 s timeout
//   /error    500
//   /nomatch  200, body without the demo regex
//   /         lists the pages
//   POST /hook  a webhook receiver for `hc notify`: with --hook-log FILE, appends one line
//               per request, "<X-HC-Event-Id> <X-HC-Signature> <body>"; answers 204
//
// And a DNS server on UDP, same port number: an A query for a name under demo.test is
// answered 127.0.0.1, any other query NXDOMAIN; the demo's dns check asks it.
//
// Prints "http://127.0.0.1:PORT" on stdout (one line, flushed) once it listens, so
// `--port 0` (any free port) works for callers. Runs until SIGTERM/SIGINT; a /slow request
// in progress is cut short then, so stopping never waits for it.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "hc/common/mutex.h"
#include "hc/common/signals.h"
#include "hc/tools/udp_server.h"

namespace {

constexpr const char* kHost = "127.0.0.1";
constexpr const char* kMatchingBody = "hc demo: all systems operational\n";

// Lets request threads sleep and the main thread wait, both cut short by a stop signal.
class Interruptible {
 public:
  explicit Interruptible(hc::StopControl& control) : control_(control) {
    control_.add_waker([this] {
      hc::MutexLock lock(mutex_);
      changed_.notify_all();
    });
  }
  // Returns false if the stop request ended the wait early.
  bool sleep_for(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    hc::MutexLock lock(mutex_);
    while (!control_.stop_requested() && changed_.wait_until(mutex_, deadline)) {
    }
    return !control_.stop_requested();
  }
  void wait_for_stop() {
    hc::MutexLock lock(mutex_);
    while (!control_.stop_requested()) changed_.wait(mutex_);
  }

 private:
  hc::StopControl& control_;
  hc::Mutex mutex_;
  hc::CondVar changed_;
};

void add_pages(httplib::Server& server, Interruptible& clock, std::chrono::milliseconds slow) {
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(
        "hc demo sites\n"
        "  /fast     200, matches the demo regex \"all systems operational\"\n"
        "  /slow     200, but only after the demo's timeout\n"
        "  /error    500\n"
        "  /nomatch  200, does not match the demo regex\n",
        "text/plain");
  });
  server.Get("/fast", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(kMatchingBody, "text/plain");
  });
  server.Get("/slow", [&clock, slow](const httplib::Request&, httplib::Response& response) {
    if (!clock.sleep_for(slow)) {
      response.status = 503;  // shutting down
      return;
    }
    response.set_content("hc demo: slow page, finally\n", "text/plain");
  });
  server.Get("/error", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content("hc demo: internal error, on purpose\n", "text/plain");
  });
  server.Get("/nomatch", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("hc demo: this page says something else\n", "text/plain");
  });
}

// The demo's webhook receiver. Lines are appended under a mutex (requests run on several
// threads) and flushed at once, so the demo can print the file while this runs.
void add_hook(httplib::Server& server, const std::string& log_file, hc::Mutex& log_mutex) {
  server.Post("/hook", [&log_file, &log_mutex](const httplib::Request& request,
                                               httplib::Response& response) {
    if (!log_file.empty()) {
      hc::MutexLock lock(log_mutex);
      std::ofstream(log_file, std::ios::app)
          << request.get_header_value("X-HC-Event-Id") << ' '
          << request.get_header_value("X-HC-Signature") << ' ' << request.body << std::endl;
    }
    response.status = 204;
  });
}

// The reply to one DNS query (RFC 1035 4.1): A records under demo.test resolve to
// 127.0.0.1, everything else is NXDOMAIN. nullopt for what is not a one-question query.
std::optional<std::string> dns_reply(std::string_view query) {
  constexpr std::size_t kHeader = 12;
  if (query.size() < kHeader + 5 || (static_cast<unsigned char>(query[2]) & 0x80) != 0) {
    return std::nullopt;  // too short, or a response
  }
  if (query[4] != 0 || query[5] != 1) return std::nullopt;  // QDCOUNT must be 1
  std::string name;
  std::size_t at = kHeader;
  while (at < query.size() && query[at] != 0) {
    const auto length = static_cast<unsigned char>(query[at]);
    if (length > 63 || at + 1 + length >= query.size()) return std::nullopt;
    if (!name.empty()) name += '.';
    name.append(query.substr(at + 1, length));
    at += 1 + length;
  }
  const std::size_t question_end = at + 5;  // the root label, QTYPE, QCLASS
  if (question_end > query.size()) return std::nullopt;
  const bool type_a = query[at + 1] == 0 && query[at + 2] == 1;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool known = name == "demo.test" || name.ends_with(".demo.test");
  std::string reply(query.substr(0, question_end));
  reply[2] = static_cast<char>(0x80 | (query[2] & 0x01));  // QR, RD copied
  reply[3] = static_cast<char>(0x80 | (known ? 0 : 3));    // RA, NOERROR or NXDOMAIN
  reply[6] = 0;
  reply[7] = known && type_a ? 1 : 0;  // ANCOUNT
  reply.replace(8, 4, std::string(4, '\0'));
  if (known && type_a) {
    // The name as a pointer to the question, A, IN, TTL 60, 4 bytes: 127.0.0.1.
    constexpr std::array<unsigned char, 16> kAnswer = {0xc0, 0x0c, 0, 1, 0,   1, 0, 0,
                                                       0,    60,   0, 4, 127, 0, 0, 1};
    reply.append(reinterpret_cast<const char*>(kAnswer.data()), kAnswer.size());
  }
  return reply;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hc-demo-sites: local pages for ./scripts/demo on 127.0.0.1: /fast (200, matches the\n"
      "demo regex), /slow (answers after --slow-ms), /error (500), /nomatch (200, no match),\n"
      "POST /hook (a webhook receiver for hc notify, see --hook-log), and DNS on UDP at the\n"
      "same port (A records under demo.test answer 127.0.0.1).\n"
      "Prints its base URL once listening; runs until SIGTERM/SIGINT."};
  int port = 8089;
  int slow_ms = 3000;
  app.add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--slow-ms", slow_ms, "How long /slow takes to answer")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  std::string hook_log;
  app.add_option("--hook-log", hook_log,
                 "Append each POST /hook (event id, signature, body) to this file");
  CLI11_PARSE(app, argc, argv);

  hc::StopControl control;
  Interruptible clock(control);  // declared before the watcher: outlives its thread
  // Before any thread starts, so that every thread inherits the blocked signals.
  hc::SignalWatcher watcher(control);

  hc::Mutex hook_mutex;  // before the server: its handlers use it
  httplib::Server server;
  // httplib's default adds SO_REUSEPORT, which would let a second server share a port that
  // is already taken instead of failing.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  add_pages(server, clock, std::chrono::milliseconds(slow_ms));
  add_hook(server, hook_log, hook_mutex);
  int bound_port = port == 0 ? server.bind_to_any_port(kHost) : port;
  if (bound_port < 0 || (port != 0 && !server.bind_to_port(kHost, port))) {
    std::cerr << "hc-demo-sites: cannot listen on " << kHost << ":" << port << '\n';
    return 1;
  }
  std::optional<hc::tools::UdpServer> dns;
  try {
    dns.emplace([](const std::string& query) { return dns_reply(query); },
                static_cast<std::uint16_t>(bound_port));
  } catch (const std::exception& error) {
    std::cerr << "hc-demo-sites: " << error.what() << '\n';
    return 1;
  }
  std::thread listener([&server] { server.listen_after_bind(); });
  std::cout << "http://" << kHost << ":" << bound_port << std::endl;

  clock.wait_for_stop();
  server.stop();
  listener.join();
  return 0;
}
