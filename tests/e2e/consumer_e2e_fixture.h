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
#include "hc/test/consumer_process.h"
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

// The primary keys of the rows of measurements table `table`.
inline std::set<RowKey> stored_keys(const test::TempPostgres& postgres,
                                    const std::string& table = "healthcheck") {
  std::set<RowKey> keys;
  std::istringstream lines(
      postgres.query("SELECT encode(url_digest, 'hex') || ' ' ||"
                     " (extract(epoch from measurement_time) * 1000000)::bigint FROM " +
                     table));
  std::string digest;
  std::int64_t at_us = 0;
  while (lines >> digest >> at_us) keys.insert({digest, at_us});
  return keys;
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

  // partition -1: librdkafka's partitioner (by key).
  void send_raw(const std::string& topic, const std::string& key, const std::string& value,
                int partition = -1) {
    while (true) {
      auto error = rd_kafka_producev(
          handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return;
      if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        throw std::runtime_error(std::string("test producer: ") + rd_kafka_err2str(error));
      }
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

  // Throws if not every message is delivered within `timeout`.
  void flush(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (rd_kafka_flush(handle_.get(), static_cast<int>(timeout.count())) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(
          "test producer: " + std::to_string(rd_kafka_outq_len(handle_.get())) +
          " messages not delivered within the flush timeout");
    }
  }

 private:
  KafkaHandle handle_;
};

using test::Route;

// `hc --consumer --log-level debug` with a config of its own (see hc/test/consumer_process.h).
class ConsumerProcess : public test::ConsumerProcess {
 public:
  ConsumerProcess(const std::filesystem::path& dir, const std::string& name,
                  const std::string& bootstrap_servers, const std::string& group,
                  const std::vector<Route>& routes, const std::string& extra_yaml = "",
                  std::vector<std::string> extra_args = {})
      : test::ConsumerProcess(dir, name, bootstrap_servers, routes,
                              options(group, extra_yaml, std::move(extra_args))) {}

 private:
  static Options options(const std::string& group, const std::string& extra_yaml,
                         std::vector<std::string> extra_args) {
    Options options;
    options.group = group;
    options.extra_yaml = extra_yaml;
    options.extra_args = {"--log-level", "debug"};
    options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
    return options;
  }
};

inline std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++count;
  }
  return count;
}

}  // namespace hc::e2e
