// Shared pieces of the `hc notify` end-to-end tests: a local receiver that records every
// request (and answers as the test scripts), state-change events published the way the
// producer does, and `hc notify` as a child process with a config of its own.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "consumer_e2e_fixture.h"
#include "hc/common/state_event.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"

namespace hc::notify_test {

struct ReceivedRequest {
  std::string path;
  std::string body;
  httplib::Headers headers;
  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? "<missing>" : found->second;
  }
};

// An HTTP receiver on 127.0.0.1 that records every POST and answers with the status that
// `answer(i)` gives for the i-th request (0-based; default 200 always), after `delay`. Only
// accepted requests (2xx) are in accepted().
class Receiver {
 public:
  explicit Receiver(
      std::function<int(std::size_t)> answer = [](std::size_t) { return 200; },
      std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : answer_(std::move(answer)) {
    server_.server().Post(
        ".*", [this, delay](const httplib::Request& request, httplib::Response& response) {
          if (delay.count() > 0) std::this_thread::sleep_for(delay);
          std::lock_guard lock(mutex_);
          const int status = answer_(all_.size());
          ReceivedRequest received{request.path, request.body, request.headers};
          all_.push_back(received);
          if (status >= 200 && status < 300) accepted_.push_back(received);
          response.status = status;
          response.set_content(status < 300 ? "ok" : "no", "text/plain");
        });
    server_.start();
  }
  std::string url(const std::string& path = "/hook") const { return server_.url(path); }
  std::vector<ReceivedRequest> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::size_t attempts() const {
    std::lock_guard lock(mutex_);
    return all_.size();
  }

 private:
  std::function<int(std::size_t)> answer_;
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> all_;
  std::vector<ReceivedRequest> accepted_;
  test::LocalHttpServer server_;  // last: its handler uses the members above
};

// A state change as the producer publishes it. `at_us`: microseconds since the epoch.
inline StateEvent event(const std::string& url, SiteStatus from, SiteStatus to,
                        std::int64_t at_us) {
  StateEvent change;
  change.url = url;
  change.from = from;
  change.to = to;
  change.at = WallTime(std::chrono::microseconds(at_us));
  if (to == SiteStatus::kDown) {
    change.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
  }
  if (from != SiteStatus::kUnknown) {
    change.since = WallTime(std::chrono::microseconds(at_us - 60'000'000));
    change.previous_duration_s = 60;
  }
  change.producer = "test:1";
  return change;
}

inline void publish(e2e::TestProducer& producer, const std::string& topic,
                    const std::vector<StateEvent>& events) {
  for (const StateEvent& change : events) {
    producer.send_raw(topic, change.url, encode_state_event(change));
  }
  producer.flush();
}

// `hc notify` with DIR/NAME.yaml: `yaml` is the section's body after bootstrap_servers,
// notify_group, auto_offset_reset (earliest) and session_timeout_ms, each line indented by 2.
// Logs to DIR/NAME.log (stdout and stderr).
class NotifyProcess {
 public:
  NotifyProcess(const std::filesystem::path& dir, const std::string& name,
                const std::string& bootstrap_servers, const std::string& yaml,
                int session_timeout_ms = 6000)
      : config_(dir / (name + ".yaml")), log_(dir / (name + ".log")) {
    metrics_port_ = test::unused_loopback_port();
    std::ofstream(config_) << "healthcheck-notify-config:\n"
                              "  bootstrap_servers: [\""
                           << bootstrap_servers
                           << "\"]\n"
                              "  notify_group: test-notify\n"
                              "  auto_offset_reset: earliest\n"
                              "  session_timeout_ms: "
                           << session_timeout_ms << "\n"
                           << yaml;
    start();
  }
  void start() {
    process_.reset();
    test::ChildProcess::Options options;
    options.stdout_file = log_;
    options.stderr_file = log_;
    process_.emplace(std::vector<std::string>{test::hc_binary().string(), "--log-level", "debug",
                                              "notify", "-c", config_.string(), "--metrics-addr",
                                              "127.0.0.1:" + std::to_string(metrics_port_)},
                     options);
  }
  test::ChildProcess& process() { return *process_; }
  void kill() { process_->send_signal(SIGKILL), process_->wait_for_exit(std::chrono::seconds(10)); }
  std::optional<int> stop() {
    process_->send_signal(SIGTERM);
    return process_->wait_for_exit(std::chrono::seconds(30));
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // GET /metrics or /healthz of the running process: {status, body}; status 0 if no answer.
  std::pair<int, std::string> get(const std::string& path) const {
    httplib::Client client("127.0.0.1", metrics_port_);
    client.set_connection_timeout(std::chrono::seconds(2));
    auto result = client.Get(path);
    if (!result) return {0, ""};
    return {result->status, result->body};
  }

 private:
  std::filesystem::path config_;
  std::filesystem::path log_;
  int metrics_port_ = 0;
  std::optional<test::ChildProcess> process_;
};

}  // namespace hc::notify_test
