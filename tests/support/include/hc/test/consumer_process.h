// `hc --consumer` as a child process for end-to-end and fault tests: a config file of its
// own, its output in a log beside it, SIGKILLed by the destructor if still running.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hc/test/support.h"

namespace hc::test {

// One table the consumer writes: messages of `topic` into `table` of the database at `uri`.
struct Route {
  std::string topic;
  std::string uri;
  std::string table;
  // More route settings on one line, e.g. "retention_days: 30" or "kind: events".
  std::string settings{};
};

class ConsumerProcess {
 public:
  struct Options {
    std::string group = "g1";
    int batch_max_rows = 500;
    int session_timeout_ms = 6000;
    std::string extra_yaml;               // more consumer settings, each line indented by 2
    std::vector<std::string> extra_args;  // after `hc --consumer -c CONFIG`
  };
  // Writes DIR/NAME.yaml (every route a topics entry; offsets reset to earliest, batches of
  // at most batch_max_rows rows or 50 ms) and starts the consumer with it. Its stdout goes to
  // DIR/NAME.log, its stderr to DIR/NAME.log.stderr.
  ConsumerProcess(const std::filesystem::path& dir, const std::string& name,
                  const std::string& bootstrap_servers, const std::vector<Route>& routes,
                  Options options);

  // Starts (again) with the same config and arguments; the logs start over.
  void start();
  ChildProcess& process() { return *process_; }
  bool running() { return process_->running(); }
  void kill();
  // SIGTERM and the exit code (nullopt if it did not exit within `timeout`).
  std::optional<int> stop(std::chrono::seconds timeout = std::chrono::seconds(30));
  // Everything it wrote: stdout, then stderr.
  std::string log() const;

 private:
  std::filesystem::path config_;
  std::filesystem::path log_;
  std::vector<std::string> extra_args_;
  std::optional<ChildProcess> process_;
};

}  // namespace hc::test
