// Shared pieces of the state-change end-to-end tests: a local page whose answers the test
// scripts, the producer's config for it, and `hc --producer` run until the page has seen a
// number of requests.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>

#include "hc/test/local_http_server.h"
#include "hc/test/support.h"

namespace hc::e2e {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A page whose i-th request is answered per script[i] ('+' 200, '-' 500); past the script's
// end, per its last character.
class ScriptedPage {
 public:
  explicit ScriptedPage(std::string script) : script_(std::move(script)) {
    web_.server().Get("/page", [this](const httplib::Request&, httplib::Response& response) {
      const std::size_t i = requests_.fetch_add(1);
      const char verdict = script_[std::min(i, script_.size() - 1)];
      response.status = verdict == '+' ? 200 : 500;
      response.set_content(verdict == '+' ? "fine" : "broken", "text/plain");
    });
    web_.start();
  }
  std::string url() const { return web_.url("/page"); }
  std::size_t requests() const { return requests_.load(); }

 private:
  std::string script_;
  std::atomic<std::size_t> requests_{0};
  test::LocalHttpServer web_;
};

inline void write_config(const std::filesystem::path& file, const std::string& url,
                         const std::string& site_settings) {
  std::ofstream(file) << "healthcheck-producer-config:\n"
                         "  bootstrap_servers: [ !ENV \"${KAFKA_BOOTSTRAP_SERVER}\" ]\n"
                         "  defaults: { polling_interval_in_seconds: 1, timeout_ms: 1000, "
                         "destination_topic: healthcheck }\n"
                         "  websites:\n"
                         "    - url: "
                      << url << "\n"
                      << site_settings;
}

// `hc --producer` until the page has seen `requests` requests, then (after `before_stop`, given
// the --metrics-addr port) SIGTERM; returns its log.
inline std::string run_producer_until(const test::DevBroker& broker,
                                      const std::filesystem::path& config, const ScriptedPage& page,
                                      std::size_t requests,
                                      const std::function<void(int)>& before_stop = {}) {
  const auto log = config.parent_path() / "hc.log";
  std::filesystem::remove(log);
  test::ChildProcess::Options options;
  options.extra_env = {{"KAFKA_BOOTSTRAP_SERVER", broker.bootstrap_servers()}};
  options.stderr_file = log;
  options.stdout_file = config.parent_path() / "hc.out";
  const int metrics_port = test::unused_loopback_port();
  test::ChildProcess hc({test::hc_binary().string(), "--producer", "-c", config.string(),
                         "--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port)},
                        options);
  const bool reached = test::eventually([&] { return page.requests() >= requests; },
                                        std::chrono::seconds(requests + 20));
  if (before_stop) before_stop(metrics_port);
  hc.send_signal(SIGTERM);
  const std::optional<int> exit_code = hc.wait_for_exit(std::chrono::seconds(20));
  std::string text = read_file(log);
  EXPECT_TRUE(reached) << "the page saw " << page.requests() << " requests; log:\n" << text;
  EXPECT_EQ(exit_code, 0) << text;
  return text;
}

}  // namespace hc::e2e
