// hc-devbroker as a child process. Readiness is the bootstrap file, which hc-devbroker
// writes atomically once its brokers listen and its control socket accepts connections.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hc/devbroker/control_socket.h"
#include "hc/test/support.h"
#include "run_capture.h"

namespace hc::test {
namespace {

constexpr std::chrono::seconds kStartTimeout{10};
constexpr std::chrono::seconds kStopTimeout{5};

}  // namespace

DevBroker::DevBroker(const std::vector<Topic>& topics, int broker_count) {
  const auto bootstrap_file = dir_.path() / "bootstrap";
  std::vector<std::string> argv{devbroker_binary().string(),  "--brokers",
                                std::to_string(broker_count), "--bootstrap-file",
                                bootstrap_file.string(),      "--control-socket",
                                control_socket().string()};
  for (const auto& topic : topics) {
    argv.push_back("--topic");
    argv.push_back(topic.name + ":" + std::to_string(topic.partitions));
    if (topic.error != 0) {
      argv.push_back("--topic-error");
      argv.push_back(topic.name + ":" + std::to_string(topic.error));
    }
  }
  ChildProcess::Options options;
  options.stdout_file = dir_.path() / "stdout.log";
  options.stderr_file = dir_.path() / "stderr.log";
  process_.emplace(argv, options);

  const bool ready =
      eventually([&] { return std::filesystem::exists(bootstrap_file) || !process_->running(); },
                 kStartTimeout);
  if (!ready || !std::filesystem::exists(bootstrap_file)) {
    const std::string errors = read_file(options.stderr_file);
    process_.reset();
    throw std::runtime_error(std::string("hc-devbroker did not start") +
                             (ready ? " (it exited)" : " within 10 s") + "; stderr: " + errors);
  }
  bootstrap_servers_ = trim(read_file(bootstrap_file));
}

DevBroker::~DevBroker() {
  if (!process_) return;
  process_->send_signal(SIGTERM);
  process_->wait_for_exit(kStopTimeout);  // still running after that: ~ChildProcess kills it
}

std::string DevBroker::control(const std::string& command) const {
  try {
    return devbroker::send_control_command(control_socket(), command);
  } catch (const std::exception& error) {
    throw std::runtime_error("hc-devbroker (" + command + "): " + error.what());
  }
}

void DevBroker::must(const std::string& command) const {
  const std::string reply = control(command);
  if (reply != "ok" && !reply.starts_with("ok ")) {
    throw std::runtime_error("hc-devbroker refused '" + command + "': " + reply);
  }
}

}  // namespace hc::test
