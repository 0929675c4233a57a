// A real Kafka through scripts/kafka: `start` prints KEY=VALUE lines, the other commands act
// on the directory it was started in.
#include "hc/test/kafka_cluster.h"

#include <unistd.h>

#include <iostream>
#include <sstream>
#include <stdexcept>

#include "run_capture.h"

namespace hc::test {
namespace {

// A first start may fetch ~45 MB from Maven Central and start three JVMs on a busy machine.
constexpr std::chrono::seconds kStartTimeout{300};
constexpr std::chrono::seconds kNodeCommandTimeout{120};

std::string kafka_script() { return (source_dir() / "scripts" / "kafka").string(); }

// The lines of scripts/kafka's stderr that explain a failure, joined into one line.
std::string failure_line(const CapturedRun& run) {
  if (run.timed_out) return "scripts/kafka did not finish (killed)";
  std::istringstream lines(run.stderr_text);
  std::string line;
  std::string reason;
  while (std::getline(lines, line)) {
    if (line.starts_with("scripts/kafka: "))
      reason += (reason.empty() ? "" : "; ") + line.substr(15);
  }
  // The lines after "node N exited during start" or "not ready" are the end of its logs: keep
  // the last few.
  if (reason.find("exited during start") != std::string::npos ||
      reason.find("not ready within") != std::string::npos) {
    const std::string text = trim(run.stderr_text);
    reason += " | " + text.substr(text.size() > 600 ? text.size() - 600 : 0);
  }
  if (reason.empty()) reason = trim(run.stderr_text);
  return reason + " (exit " + std::to_string(run.exit_code) + ")";
}

}  // namespace

KafkaCluster::KafkaCluster(const Options& options) {
  std::vector<std::string> argv{kafka_script(),
                                "start",
                                (dir_.path() / "cluster").string(),
                                "--brokers",
                                std::to_string(options.brokers),
                                "--owner",
                                std::to_string(getpid())};
  if (!options.version.empty()) {
    argv.push_back("--version");
    argv.push_back(options.version);
  }
  // scripts/kafka itself tries a failed start once more on fresh ports.
  const CapturedRun run = run_capture(argv, kStartTimeout, {}, /*merge_stderr=*/false);
  if (run.exit_code != 0) {
    run_capture({kafka_script(), "stop", (dir_.path() / "cluster").string()}, kNodeCommandTimeout,
                {}, false);
    throw std::runtime_error(failure_line(run));
  }
  std::istringstream lines(run.stdout_text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) env_[line.substr(0, equals)] = line.substr(equals + 1);
  }
}

KafkaCluster::~KafkaCluster() {
  const CapturedRun run = run_capture({kafka_script(), "stop", (dir_.path() / "cluster").string()},
                                      kNodeCommandTimeout, {}, false);
  if (run.exit_code != 0) std::cerr << "KafkaCluster: stop failed: " << failure_line(run) << '\n';
}

std::string KafkaCluster::value(const std::string& key) const {
  const auto found = env_.find(key);
  if (found == env_.end()) throw std::runtime_error("scripts/kafka printed no " + key);
  return found->second;
}

std::string KafkaCluster::bootstrap(KafkaListener listener) const {
  switch (listener) {
    case KafkaListener::kSsl:
      return value("KAFKA_SSL");
    case KafkaListener::kSaslSsl:
      return value("KAFKA_SASL_SSL");
    case KafkaListener::kPlaintext:
      break;
  }
  return value("KAFKA_PLAINTEXT");
}

std::string KafkaCluster::broker_address(int id) const {
  return value("KAFKA_BROKER_" + std::to_string(id));
}

int KafkaCluster::brokers() const { return std::stoi(value("KAFKA_BROKERS")); }

std::string KafkaCluster::client_yaml(KafkaListener listener,
                                      const std::string& sasl_mechanism) const {
  std::string yaml = "  bootstrap_servers: [\"" + bootstrap(listener) + "\"]\n";
  switch (listener) {
    case KafkaListener::kPlaintext:
      break;
    case KafkaListener::kSsl:
      yaml += "  security_protocol: SSL\n  ssl_cafile: \"" + ca_file() + "\"\n";
      break;
    case KafkaListener::kSaslSsl:
      yaml += "  security_protocol: SASL_SSL\n  ssl_cafile: \"" + ca_file() +
              "\"\n  sasl_mechanism: " + sasl_mechanism + "\n  sasl_username: \"" +
              sasl_username() + "\"\n  sasl_password: \"" + sasl_password() + "\"\n";
      break;
  }
  return yaml;
}

void KafkaCluster::run_script(const std::string& command, int id) {
  const CapturedRun run =
      run_capture({kafka_script(), command, (dir_.path() / "cluster").string(), std::to_string(id)},
                  kNodeCommandTimeout, {}, false);
  if (run.exit_code != 0) {
    throw std::runtime_error("scripts/kafka " + command + " " + std::to_string(id) + ": " +
                             failure_line(run));
  }
}

void KafkaCluster::kill_broker(int id) { run_script("kill-broker", id); }
void KafkaCluster::stop_broker(int id) { run_script("stop-broker", id); }
void KafkaCluster::start_broker(int id) { run_script("start-broker", id); }

}  // namespace hc::test
