#include "hc/test/consumer_process.h"

#include <signal.h>

#include <fstream>
#include <iterator>
#include <utility>

namespace hc::test {

ConsumerProcess::ConsumerProcess(const std::filesystem::path& dir, const std::string& name,
                                 const std::string& bootstrap_servers,
                                 const std::vector<Route>& routes, Options options)
    : config_(dir / (name + ".yaml")),
      log_(dir / (name + ".log")),
      extra_args_(std::move(options.extra_args)) {
  std::ofstream out(config_);
  out << "healthcheck-consumer-config:\n"
      << "  bootstrap_servers: [\"" << bootstrap_servers << "\"]\n"
      << "  group_id: " << options.group << "\n"
      << "  auto_offset_reset: earliest\n"
      << "  batch_max_rows: " << options.batch_max_rows << "\n"
      << "  batch_max_wait_ms: 50\n"
      << "  session_timeout_ms: " << options.session_timeout_ms << "\n"
      << options.extra_yaml << "  topics:\n";
  for (const auto& route : routes) {
    out << "    - source_topic: " << route.topic << "\n"
        << "      connection_uri: \"" << route.uri << "\"\n"
        << "      table_name: " << route.table << "\n";
    if (!route.settings.empty()) out << "      " << route.settings << "\n";
  }
  out.close();
  start();
}

void ConsumerProcess::start() {
  ChildProcess::Options options;
  // Only read by sanitizer builds: a known leak inside libpqxx 6.4 on broken connections.
  options.extra_env = {
      {"LSAN_OPTIONS",
       "suppressions=" + (source_dir() / "tests/support/libpqxx.lsan.supp").string()}};
  options.stdout_file = log_;
  options.stderr_file = log_.string() + ".stderr";
  std::vector<std::string> command{hc_binary().string(), "--consumer", "-c", config_.string()};
  command.insert(command.end(), extra_args_.begin(), extra_args_.end());
  process_.emplace(command, options);
}

void ConsumerProcess::kill() {
  process_->send_signal(SIGKILL);
  process_->wait_for_exit(std::chrono::seconds(10));
}

std::optional<int> ConsumerProcess::stop(std::chrono::seconds timeout) {
  process_->send_signal(SIGTERM);
  return process_->wait_for_exit(timeout);
}

std::string ConsumerProcess::log() const {
  std::string text;
  for (const auto& path : {log_, std::filesystem::path(log_.string() + ".stderr")}) {
    std::ifstream in(path);
    text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return text;
}

}  // namespace hc::test
