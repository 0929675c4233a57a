// Shared pieces of the fault tests (ctest label `faults`): a stream of numbered measurements
// whose rows can be checked exactly in SQL, /metrics and /healthz scraping, a producer that
// picks partitions, and the figures that bench/faults/run.sh prints.
//
// The stream: message i (0 <= i < count) is site (i % sites), measured at first_us + i. Its
// row key (url_digest, measurement_time) is unique, so "rows == messages" is exact and
// verify_stream() proves the table holds exactly those rows, each once, with no stranger.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <librdkafka/rdkafka.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "consumer_e2e_fixture.h"
#include "hc/common/kafka_handles.h"
#include "hc/common/message.h"
#include "hc/test/support.h"

namespace hc::faults {

using e2e::measurement;
using e2e::site_url;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Route;

inline constexpr std::int64_t kFirstUs = 1'795'000'000'000'000;

// One line of bench/faults/run.sh's table. Written (tab-separated) to the file named by
// $HC_FAULT_FIGURES when it is set, and always to stdout (visible with ctest -V).
struct FaultFigures {
  std::string fault;
  double recovery_s = -1;  // fault removed -> every row written; -1: not applicable
  long rows_expected = 0;
  long rows_written = 0;
  long dead_letters = 0;
  long drops = 0;
};

inline void report_figures(const FaultFigures& figures) {
  std::ostringstream line;
  line << figures.fault << '\t' << figures.recovery_s << '\t' << figures.rows_expected << '\t'
       << figures.rows_written << '\t' << figures.dead_letters << '\t' << figures.drops;
  std::cout << "fault figures: " << line.str() << std::endl;
  if (const char* path = std::getenv("HC_FAULT_FIGURES"); path != nullptr && *path != '\0') {
    std::ofstream(path, std::ios::app) << line.str() << '\n';
  }
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Row count of `table`, or -1 while it does not exist (or the database is away).
inline long count_rows(const test::TempPostgres& postgres,
                       const std::string& table = "healthcheck") {
  return postgres.row_count(table);
}

// Empty when `table` holds exactly the rows of stream messages [0, count) (see the top of
// this file), otherwise what differs.
inline std::string verify_stream(const test::TempPostgres& postgres, long count, int sites,
                                 const std::string& table = "healthcheck",
                                 std::int64_t first_us = kFirstUs) {
  const std::string first = std::to_string(first_us);
  const std::string summary = postgres.query(
      "SELECT count(*) || ' ' || count(DISTINCT at_us) || ' ' || coalesce(min(at_us) - " + first +
      ", -1) || ' ' || coalesce(max(at_us) - " + first +
      ", -1) || ' ' || count(*) FILTER (WHERE uri <> 'https://site' || ((at_us - " + first +
      ") % " + std::to_string(sites) +
      ") || '.test/' OR url_digest <> sha256(convert_to(uri, 'UTF8'))) FROM (SELECT uri, "
      "url_digest, (extract(epoch FROM measurement_time) * 1000000)::bigint AS at_us FROM " +
      table + ") AS stored");
  const std::string expected = std::to_string(count) + " " + std::to_string(count) + " 0 " +
                               std::to_string(count - 1) + " 0";
  if (summary == expected) return "";
  return "rows, distinct times, first offset, last offset, rows of the wrong site: got " + summary +
         ", expected " + expected;
}

// GET http://127.0.0.1:port/path; nullopt when nothing answers.
struct HttpReply {
  int status = 0;
  std::string body;
};
inline std::optional<HttpReply> http_get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto response = client.Get(path.c_str());
  if (!response) return std::nullopt;
  return HttpReply{response->status, response->body};
}

// Sum of the samples of metric `name` (every label set) in a Prometheus text body; -1 if
// the metric is absent.
inline double metric_sum(const std::string& body, const std::string& name) {
  double sum = 0;
  bool found = false;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(name)) continue;
    const std::size_t after = name.size();
    if (after < line.size() && line[after] != ' ' && line[after] != '{') continue;
    const std::size_t space = line.rfind(' ');
    sum += std::stod(line.substr(space + 1));
    found = true;
  }
  return found ? sum : -1;
}

inline double scrape_metric(int port, const std::string& name) {
  auto reply = http_get(port, "/metrics");
  return reply ? metric_sum(reply->body, name) : -1;
}

// The test producer with settings for long streams; flush() waits up to 60 s.
class StreamProducer : public e2e::TestProducer {
 public:
  explicit StreamProducer(const std::string& bootstrap_servers)
      : TestProducer(bootstrap_servers, {{"linger.ms", "20"},
                                         {"batch.num.messages", "10000"},
                                         {"queue.buffering.max.messages", "200000"},
                                         {"message.max.bytes", "8000000"},
                                         // Stored compressed by the dev broker: ~4x more
                                         // messages fit its ~5 MB per partition.
                                         {"compression.codec", "lz4"},
                                         {"reconnect.backoff.max.ms", "500"}}) {}

  // partition -1: librdkafka's partitioner (by key).
  void send(const std::string& topic, const std::string& key, const std::string& value,
            int partition = -1) {
    send_raw(topic, key, value, partition);
  }

  // Stream messages [first, first + count) (see the top of this file).
  void send_stream(const std::string& topic, long first, long count, int sites) {
    for (long i = first; i < first + count; ++i) {
      Measurement m = measurement(site_url(static_cast<int>(i % sites)), kFirstUs + i);
      send(topic, m.url, encode_message(m));
    }
  }

  void flush(milliseconds timeout = seconds(60)) { TestProducer::flush(timeout); }
};

// Partitions of `topic` whose oldest message is gone (low watermark > 0): the dev broker
// keeps ~5 MB per partition and drops older messages silently, which would make a "rows ==
// messages" check fail for a reason that is not hc's. Empty when every message is there.
inline std::string partitions_that_lost_messages(const std::string& bootstrap_servers,
                                                 const std::string& topic, int partitions) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap_servers};
  KafkaConf conf = make_kafka_conf(settings, {{"group.id", "hc-fault-watermarks"}});
  std::array<char, 512> error{};
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error.data(), error.size()));
  if (!consumer) throw std::runtime_error(error.data());
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  std::string lost;
  for (int partition = 0; partition < partitions; ++partition) {
    std::int64_t low = -1;
    std::int64_t high = -1;
    const auto result = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition,
                                                         &low, &high, 10000);
    if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
      lost += " [" + std::to_string(partition) + "] " + rd_kafka_err2str(result);
    } else if (low != 0) {
      lost += " [" + std::to_string(partition) + "] low watermark " + std::to_string(low);
    }
  }
  return lost;
}

// `hc --consumer` for fault tests: a short session timeout (a killed member's partitions
// come back in ~3 s rather than 6 + 3 s) and /metrics and /healthz on a port of its own.
class FaultConsumer : public test::ConsumerProcess {
 public:
  struct Options {
    std::string group = "faults";
    int session_timeout_ms = 3000;
    int batch_max_rows = 500;
    std::string extra_yaml;  // more consumer settings, each line indented by two spaces
  };
  FaultConsumer(const std::filesystem::path& dir, const std::string& name,
                const std::string& bootstrap_servers, const std::vector<Route>& routes,
                const Options& options, int metrics_port = test::unused_loopback_port())
      : test::ConsumerProcess(dir, name, bootstrap_servers, routes,
                              process_options(options, metrics_port)),
        metrics_port_(metrics_port) {}

  std::optional<int> stop(seconds timeout = seconds(10)) {
    return test::ConsumerProcess::stop(timeout);
  }
  int metrics_port() const { return metrics_port_; }
  std::optional<HttpReply> healthz() const { return http_get(metrics_port_, "/healthz"); }
  double metric(const std::string& name) const { return scrape_metric(metrics_port_, name); }
  // The last `bytes` of the log (the whole log of a long run is too much for a failure message).
  std::string log_tail(std::size_t bytes = 6000) const {
    const std::string text = log();
    return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
  }

 private:
  static test::ConsumerProcess::Options process_options(const Options& options, int metrics_port) {
    test::ConsumerProcess::Options process;
    process.group = options.group;
    process.batch_max_rows = options.batch_max_rows;
    process.session_timeout_ms = options.session_timeout_ms;
    process.extra_yaml = options.extra_yaml;
    process.extra_args = {"--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port)};
    return process;
  }

  int metrics_port_;
};

}  // namespace hc::faults
