// hc-devbroker: librdkafka's mock cluster hosted in its own process, so that hc's
// producer, consumers and kcat (separate processes) can all talk Kafka protocol to it
// over loopback. For local runs and tests only: no persistence, ~5 MB per partition.
//
// Contract with callers (scripts/devbroker, tests/support DevBroker, scripts/demo):
//   - stdout gets exactly one line, the bootstrap list, flushed once the cluster listens;
//   - with --bootstrap-file the same line is written there atomically (tmp + rename), so a
//     reader that sees the file sees all of it;
//   - with --control-socket the fault controls (tools/mock_faults.h: broker down/up, request
//     errors, RTT, leader moves) answer one line per command on that Unix socket, which
//     exists before the bootstrap line is printed; `hc-devbroker ctl --socket PATH CMD...`
//     sends one command from a shell;
//   - SIGTERM or SIGINT removes those files, destroys the cluster and exits 0;
//   - errors go to stderr, exit 1.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/kafka_handles.h"
#include "hc/common/mutex.h"
#include "hc/common/signals.h"
#include "hc/devbroker/control_socket.h"
#include "mock_faults.h"

namespace {

struct MockClusterDeleter {
  void operator()(rd_kafka_mock_cluster_t* cluster) const {
    rd_kafka_mock_cluster_destroy(cluster);
  }
};
using MockCluster = std::unique_ptr<rd_kafka_mock_cluster_t, MockClusterDeleter>;

struct TopicSpec {
  std::string name;
  int partitions = 0;
};

struct TopicError {
  std::string name;
  int error = 0;  // a Kafka protocol error code
};

// "NAME:CODE" -> TopicError; throws std::invalid_argument naming the bad text.
TopicError parse_topic_error(const std::string& text) {
  auto colon = text.rfind(':');
  int code = 0;
  const char* last = text.data() + text.size();
  if (colon == std::string::npos || colon == 0 ||
      std::from_chars(text.data() + colon + 1, last, code).ptr != last || code < 1 ||
      code > 32767) {
    throw std::invalid_argument("--topic-error expects NAME:CODE (a Kafka error code), got '" +
                                text + "'");
  }
  return {text.substr(0, colon), code};
}

// "NAME:PARTITIONS" -> TopicSpec; throws std::invalid_argument naming the bad text.
TopicSpec parse_topic(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("--topic expects NAME:PARTITIONS, got '" + text + "'");
  }
  TopicSpec spec{text.substr(0, colon), 0};
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, error] = std::from_chars(first, last, spec.partitions);
  if (error != std::errc() || end != last || spec.partitions < 1 || spec.partitions > 10000) {
    throw std::invalid_argument("--topic '" + text + "': PARTITIONS must be 1..10000");
  }
  return spec;
}

// Writes `line` to `path` through a sibling temp file and rename(2), which is atomic on
// one file system: readers see either no file or the whole line.
void write_file_atomically(const std::filesystem::path& path, const std::string& line) {
  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << line << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::filesystem::remove(temp);
    throw std::runtime_error("cannot rename " + temp.string() + " to " + path.string() + ": " +
                             error.message());
  }
}

// The mock cluster needs a client handle for its bookkeeping; the handle itself is never
// used to produce. It must outlive the cluster.
hc::KafkaHandle make_host_handle() {
  hc::KafkaConf conf(rd_kafka_conf_new());
  char error_text[512];
  // No bootstrap.servers: the handle never connects anywhere. Level 4 hides the notice
  // about that; warnings and errors of the mock brokers still reach stderr.
  if (rd_kafka_conf_set(conf.get(), "log_level", "4", error_text, sizeof error_text) !=
      RD_KAFKA_CONF_OK) {
    throw std::runtime_error(std::string("host handle config: ") + error_text);
  }
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error_text, sizeof error_text);
  if (handle == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + error_text);
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  return hc::KafkaHandle(handle);
}

int run(int broker_count, const std::vector<std::string>& topic_texts,
        const std::vector<std::string>& topic_error_texts, const std::string& bootstrap_file,
        const std::string& control_socket_path) {
  std::vector<TopicSpec> topics;
  topics.reserve(topic_texts.size());
  for (const auto& text : topic_texts) topics.push_back(parse_topic(text));

  // Declared before the watcher so they outlive its thread, which runs the waker.
  hc::Mutex mutex;
  hc::CondVar stop_signalled;
  // Block the signals before librdkafka starts its threads (they inherit the mask).
  hc::StopControl control;
  hc::SignalWatcher watcher(control);
  control.add_waker([&] {
    hc::MutexLock lock(mutex);
    stop_signalled.notify_all();
  });

  hc::KafkaHandle host = make_host_handle();
  MockCluster cluster(rd_kafka_mock_cluster_new(host.get(), broker_count));
  if (!cluster) throw std::runtime_error("rd_kafka_mock_cluster_new failed");

  for (const auto& topic : topics) {
    rd_kafka_resp_err_t error =
        rd_kafka_mock_topic_create(cluster.get(), topic.name.c_str(), topic.partitions, 1);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("cannot create topic '" + topic.name +
                               "': " + rd_kafka_err2str(error));
    }
  }

  for (const auto& text : topic_error_texts) {
    const TopicError topic_error = parse_topic_error(text);
    rd_kafka_mock_topic_set_error(cluster.get(), topic_error.name.c_str(),
                                  static_cast<rd_kafka_resp_err_t>(topic_error.error));
  }

  // Declared after the cluster: the socket's thread stops before the cluster goes.
  hc::devbroker::MockFaults faults(cluster.get(), broker_count);
  std::optional<hc::devbroker::ControlSocket> control_socket;
  if (!control_socket_path.empty()) {
    control_socket.emplace(control_socket_path,
                           [&faults](std::string_view line) { return faults.execute(line); });
  }

  const std::string bootstraps = rd_kafka_mock_cluster_bootstraps(cluster.get());
  if (!bootstrap_file.empty()) write_file_atomically(bootstrap_file, bootstraps);
  std::cout << bootstraps << std::endl;

  {
    hc::MutexLock lock(mutex);
    while (!control.stop_requested()) stop_signalled.wait(mutex);
  }
  // A stale file would point the next reader at a dead broker.
  if (!bootstrap_file.empty()) std::filesystem::remove(bootstrap_file);
  return 0;  // control socket, cluster, then host handle, destroyed here in that order
}

// `hc-devbroker ctl`: one command to a running hc-devbroker; prints the answer; exit 0 on
// "ok...", 1 on "error ..." or when the socket cannot be reached.
int send_command(const std::string& socket_path, const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
  const std::string reply = hc::devbroker::send_control_command(socket_path, line);
  std::cout << reply << std::endl;
  return reply == "ok" || reply.starts_with("ok ") ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hc-devbroker: a throwaway Kafka-protocol broker (librdkafka's mock cluster) on\n"
      "127.0.0.1 random ports, for local runs and tests only. Prints the bootstrap list on\n"
      "stdout and serves until SIGTERM/SIGINT. No persistence: everything is lost on exit;\n"
      "each partition keeps only about 5 MB (older messages are dropped silently). Topics\n"
      "are auto-created with 4 partitions on first use; CreateTopics (admin API) is not\n"
      "served, so pre-create topics with --topic.\n"
      "With --control-socket PATH it takes fault commands, one per line (answers 'ok' or\n"
      "'error ...'): ping, status, broker-down ID, broker-up ID, all-down, all-up,\n"
      "rtt ID|all MS, request-errors API ERR COUNT, broker-request-errors ID API ERR COUNT\n"
      "[RTT_MS], clear-request-errors API, leader TOPIC PARTITION ID, topic-error TOPIC ERR.\n"
      "Data, offsets and groups survive down/up. Send one with: hc-devbroker ctl --socket\n"
      "PATH broker-down 1"};
  int broker_count = 1;
  std::vector<std::string> topic_texts;
  std::vector<std::string> topic_error_texts;
  std::string bootstrap_file;
  app.add_option("--brokers", broker_count, "Number of mock brokers")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  app.add_option("--topic", topic_texts,
                 "NAME:PARTITIONS, create this topic at start (replication 1); repeatable");
  app.add_option("--topic-error", topic_error_texts,
                 "NAME:CODE, answer metadata requests for this topic with Kafka error CODE "
                 "(e.g. 3: unknown topic, as a broker without auto-create does); repeatable");
  app.add_option("--bootstrap-file", bootstrap_file,
                 "Also write the bootstrap list to this file (atomically: tmp + rename)");
  std::string control_socket_path;
  app.add_option("--control-socket", control_socket_path,
                 "Serve the fault commands on this Unix socket (mode 0600, removed at exit)");

  CLI::App* ctl = app.add_subcommand(
      "ctl", "Send one fault command to a running hc-devbroker and print its answer");
  std::string ctl_socket;
  std::vector<std::string> ctl_words;
  ctl->add_option("--socket", ctl_socket, "Its --control-socket PATH")->required();
  ctl->add_option("command", ctl_words, "The command and its arguments, e.g. broker-down 1")
      ->required();
  CLI11_PARSE(app, argc, argv);

  try {
    if (ctl->parsed()) return send_command(ctl_socket, ctl_words);
    return run(broker_count, topic_texts, topic_error_texts, bootstrap_file, control_socket_path);
  } catch (const std::exception& error) {
    std::cerr << "hc-devbroker: " << error.what() << '\n';
    return 1;
  }
}
