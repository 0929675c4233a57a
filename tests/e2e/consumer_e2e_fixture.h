// Shared pieces of the consumer end-to-end tests: a test producer that publishes
// message v1 the way `hc --producer` does, a reader for the dead-letter topic, and
// `hc --consumer` as a child process with its own config file and log.
#pragma once

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <array>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/kafka_handles.h"
#include "hc/common/message.h"
#include "hc/common/url_digest.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/support.h"

namespace hc::e2e {

// (url_digest hex, measured_at in microseconds since the epoch): a row's primary key.
using RowKey = std::pair<std::string, std::int64_t>;

inline Measurement measurement(const std::string& url, std::int64_t measured_at_us) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = WallTime(std::chrono::microseconds(measured_at_us));
  m.status_code = 200;
  m.response_time_us = 1000 + measured_at_us % 1000;
  m.timings = {10, 20, 30, 40};
  m.body_bytes = 512;
  m.producer = "test:1";
  return m;
}

inline std::string site_url(int site) { return "https://site" + std::to_string(site) + ".test/"; }

class TestProducer {
 public:
  // `properties` are added to (and override) the producer's librdkafka settings.
  explicit TestProducer(const std::string& bootstrap_servers,
                        std::vector<std::pair<std::string, std::string>> properties = {}) {
    KafkaSettings settings;
    settings.bootstrap_servers = {bootstrap_servers};
    properties.insert(properties.begin(), {{"enable.idempotence", "true"}, {"linger.ms", "5"}});
    KafkaConf conf = make_kafka_conf(settings, properties);
    std::array<char, 512> error{};
    handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
    if (!handle_) throw std::runtime_error(error.data());
    conf.release();
  }

  void send_raw(const std::string& topic, const std::string& key, const std::string& value) {
    while (true) {
      auto error = rd_kafka_producev(
          handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
      if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw std::runtime_error(rd_kafka_err2str(error));
      rd_kafka_poll(handle_.get(), 10);
    }
  }

  // Publishes one measurement keyed by its URL; returns its row key.
  RowKey send(const std::string& topic, const Measurement& m) {
    send_raw(topic, m.url, encode_message(m));
    return {m.url_digest, m.measured_at.time_since_epoch().count()};
  }

  // `count` messages spread over `sites` sites, measured_at from `first_us` on.
  std::set<RowKey> send_many(const std::string& topic, int count, int sites,
                             std::int64_t first_us = 1'795'000'000'000'000) {
    std::set<RowKey> keys;
    for (int i = 0; i < count; ++i)
      keys.insert(send(topic, measurement(site_url(i % sites), first_us + i)));
    flush();
    return keys;
  }

  void flush() {
    if (rd_kafka_flush(handle_.get(), 30'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("test producer: flush timed out");
    }
  }

 private:
  KafkaHandle handle_;
};

struct Route {
  std::string topic;
  std::string uri;
  std::string table;
};

// `hc --consumer` with a config of its own; SIGKILLed by the destructor if still running.
class ConsumerProcess {
 public:
  ConsumerProcess(const std::filesystem::path& dir, const std::string& name,
                  const std::string& bootstrap_servers, const std::string& group,
                  const std::vector<Route>& routes, const std::string& extra_yaml = "",
                  std::vector<std::string> extra_args = {})
      : config_(dir / (name + ".yaml")),
        log_(dir / (name + ".log")),
        extra_args_(std::move(extra_args)) {
    std::ofstream out(config_);
    out << "healthcheck-consumer-config:\n"
        << "  bootstrap_servers: [\"" << bootstrap_servers << "\"]\n"
        << "  group_id: " << group << "\n"
        << "  auto_offset_reset: earliest\n"
        << "  batch_max_rows: 500\n"
        << "  batch_max_wait_ms: 50\n"
        << "  session_timeout_ms: 6000\n"
        << extra_yaml << "  topics:\n";
    for (const auto& route : routes) {
      out << "    - source_topic: " << route.topic << "\n"
          << "      connection_uri: \"" << route.uri << "\"\n"
          << "      table_name: " << route.table << "\n";
    }
    out.close();
    start();
  }

  void start() {
    test::ChildProcess::Options options;
    // Only read by sanitizer builds: a known leak inside libpqxx 6.4 on broken connections.
    options.extra_env = {
        {"LSAN_OPTIONS",
         "suppressions=" + (test::source_dir() / "tests/consumer/libpqxx.lsan.supp").string()}};
    options.stdout_file = log_;
    options.stderr_file = log_.string() + ".stderr";
    std::vector<std::string> command{test::hc_binary().string(), "--consumer",  "-c",
                                     config_.string(),           "--log-level", "debug"};
    command.insert(command.end(), extra_args_.begin(), extra_args_.end());
    process_.emplace(command, options);
  }
  test::ChildProcess& process() { return *process_; }
  void kill() {
    process_->send_signal(SIGKILL);
    process_->wait_for_exit(std::chrono::seconds(10));
  }
  // SIGTERM and the exit code (nullopt if it did not exit within 30 s).
  std::optional<int> stop() {
    process_->send_signal(SIGTERM);
    return process_->wait_for_exit(std::chrono::seconds(30));
  }
  std::string log() const {
    std::string text;
    for (const auto& path : {log_, std::filesystem::path(log_.string() + ".stderr")}) {
      std::ifstream in(path);
      text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return text;
  }

 private:
  std::filesystem::path config_;
  std::filesystem::path log_;
  std::vector<std::string> extra_args_;
  std::optional<test::ChildProcess> process_;
};

inline std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

}  // namespace hc::e2e
