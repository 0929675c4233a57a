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
// Prints "http://127.0.0.1:PORT" on stdout (one line, flushed) once it listens, so
// `--port 0` (any free port) works for callers. Runs until SIGTERM/SIGINT; a /slow request
// in progress is cut short then, so stopping never waits for it.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "hc/common/mutex.h"
#include "hc/common/signals.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hc-demo-sites: local pages for ./scripts/demo on 127.0.0.1: /fast (200, matches the\n"
      "demo regex), /slow (answers after --slow-ms), /error (500), /nomatch (200, no match),\n"
      "POST /hook (a webhook receiver for hc notify, see --hook-log).\n"
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
  std::thread listener([&server] { server.listen_after_bind(); });
  std::cout << "http://" << kHost << ":" << bound_port << std::endl;

  clock.wait_for_stop();
  server.stop();
  listener.join();
  return 0;
}
