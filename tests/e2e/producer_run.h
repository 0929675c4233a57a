// Runs `hc --producer` as a child process for end-to-end tests (producer_e2e_test,
// producer_hostile_targets_test): against a DevBroker, with its log kept for assertions.
#pragma once

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hc/test/support.h"

namespace hc {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `hc --producer -c config_file [extra_args...]` with KAFKA_BOOTSTRAP_SERVER set to the
// broker's; its log goes to hc.log beside the config file.
inline test::ChildProcess start_producer(const test::DevBroker& broker,
                                         const std::filesystem::path& config_file,
                                         const std::vector<std::string>& extra_args = {}) {
  test::ChildProcess::Options options;
  options.extra_env = {{"KAFKA_BOOTSTRAP_SERVER", broker.bootstrap_servers()}};
  options.stderr_file = config_file.parent_path() / "hc.log";
  options.stdout_file = config_file.parent_path() / "hc.out";
  std::vector<std::string> argv = {test::hc_binary().string(), "--producer", "-c",
                                   config_file.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return test::ChildProcess(argv, options);
}

struct ProducerRun {
  std::optional<int> exit_code;  // nullopt: still running 15 s after SIGTERM
  std::chrono::steady_clock::duration length{};
  std::string log;
};

// SIGTERM to a running producer; waits up to 15 s for it to exit.
inline ProducerRun stop_producer(test::ChildProcess& hc, const std::filesystem::path& config_file,
                                 std::chrono::steady_clock::time_point started) {
  hc.send_signal(SIGTERM);
  ProducerRun run;
  run.length = std::chrono::steady_clock::now() - started;
  run.exit_code = hc.wait_for_exit(std::chrono::seconds(15));
  run.log = read_file(config_file.parent_path() / "hc.log");
  return run;
}

// Runs hc --producer for `length` (the run length, not a synchronisation), then SIGTERM.
inline ProducerRun run_producer_for(const test::DevBroker& broker,
                                    const std::filesystem::path& config_file,
                                    std::chrono::seconds length) {
  test::ChildProcess hc = start_producer(broker, config_file);
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(length);
  return stop_producer(hc, config_file, started);
}

}  // namespace hc
