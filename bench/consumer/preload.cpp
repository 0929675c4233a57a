// hc-bench-preload: publishes N message-v1 records for U URLs to a topic (keyed by URL,
// like `hc --producer`) and writes the same rows as PostgreSQL COPY text, so the
// benchmark's reference (`\copy` through psql) loads exactly what hc consumes.
//
//   hc-bench-preload --bootstrap B --topic T --partitions P --messages N --urls U --copy-file F
//                    [--first-time-us T]
//     message i is site i % U's check at T + (i / U) * 30 s (+ the site's number in µs);
//     T defaults to 2026-11-18 11:06:40 UTC, a time in the catch-all partition of a new table
//   hc-bench-preload --bootstrap B --topic T --partitions P --messages N --wait-committed GROUP
//     waits until GROUP's committed offsets cover N messages, then prints the wall time
//     (seconds since the epoch): the consumer commits only after its rows are in Postgres.
//
// Exits non-zero unless every message is still in the topic afterwards (the dev broker
// silently drops the oldest data of a partition beyond ~5 MB: checked through the low
// watermarks).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "hc/common/kafka_handles.h"
#include "hc/common/message.h"
#include "hc/common/url_digest.h"

namespace {

std::string copy_line(const hc::Measurement& m) {
  // The consumer's measurement_columns() in order (run.sh names them): url_digest,
  // measurement_time, response_time_microseconds, uri, status_code, regex_present,
  // regex_match, error, error_detail, dns_us, connect_us, tls_us, ttfb_us, body_bytes,
  // cert_expires_at, healthy, failed_conditions, body_truncated, attempts.
  return fmt::format(
      "\\\\x{}\t{}\t{}\t{}\t{}\tf\t\\N\t\\N\t\\N\t{}\t{}\t{}\t{}\t{}\t\\N\tt\t{{}}\tf\t{}\n",
      m.url_digest, hc::format_timestamp(m.measured_at), m.response_time_us, m.url, *m.status_code,
      *m.timings.dns_us, *m.timings.connect_us, *m.timings.tls_us, *m.timings.ttfb_us, m.body_bytes,
      *m.attempts);
}

// Polls GROUP's committed offsets every 20 ms until they sum to `messages`.
int wait_committed(const std::string& bootstrap, const std::string& topic, int partitions,
                   long messages, const std::string& group) {
  hc::KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap};
  hc::KafkaConf conf = hc::make_kafka_conf(settings, {{"group.id", group}});
  std::array<char, 512> error{};
  hc::KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error.data(), error.size()));
  if (!consumer) {
    std::cerr << "preload: " << error.data() << '\n';
    return 1;
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  hc::KafkaPartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  }
  while (true) {
    if (rd_kafka_committed(consumer.get(), list.get(), 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      long committed = 0;
      for (int p = 0; p < list->cnt; ++p) committed += std::max<int64_t>(list->elems[p].offset, 0);
      if (committed >= messages) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto now = std::chrono::system_clock::now().time_since_epoch();
  std::cout << fmt::format("{:.3f}\n", std::chrono::duration<double>(now).count());
  rd_kafka_consumer_close(consumer.get());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Preload hc-devbroker with message-v1 records for the consumer benchmark"};
  std::string bootstrap;
  std::string topic = "bench";
  int partitions = 128;
  long messages = 1'000'000;
  int urls = 10'000;
  std::string copy_file;
  std::string wait_group;
  std::int64_t first_time_us = 1'795'000'000'000'000;
  app.add_option("--bootstrap", bootstrap)->required();
  app.add_option("--topic", topic);
  app.add_option("--partitions", partitions);
  app.add_option("--messages", messages);
  app.add_option("--urls", urls);
  app.add_option("--copy-file", copy_file);
  app.add_option("--wait-committed", wait_group);
  app.add_option("--first-time-us", first_time_us);
  CLI11_PARSE(app, argc, argv);
  if (!wait_group.empty())
    return wait_committed(bootstrap, topic, partitions, messages, wait_group);

  hc::KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap};
  hc::KafkaConf conf = hc::make_kafka_conf(settings, {{"enable.idempotence", "true"},
                                                      {"linger.ms", "20"},
                                                      {"queue.buffering.max.messages", "1000000"}});
  std::array<char, 512> error{};
  hc::KafkaHandle producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
  if (!producer) {
    std::cerr << "preload: " << error.data() << '\n';
    return 1;
  }
  static_cast<void>(conf.release());  // rd_kafka_new took ownership

  std::ofstream copy(copy_file);
  std::vector<std::string> site_urls;
  site_urls.reserve(static_cast<std::size_t>(urls));
  for (int u = 0; u < urls; ++u) site_urls.push_back(fmt::format("https://site{}.bench.test/", u));
  std::vector<std::string> digests;
  digests.reserve(site_urls.size());
  for (const auto& url : site_urls) digests.push_back(hc::url_digest(url));

  for (long i = 0; i < messages; ++i) {
    hc::Measurement m;
    int site = static_cast<int>(i % urls);
    m.url = site_urls[site];
    m.url_digest = digests[site];
    m.measured_at =
        hc::WallTime(std::chrono::microseconds(first_time_us + (i / urls) * 30'000'000 + site));
    m.status_code = 200;
    m.response_time_us = 50'000 + i % 1000;
    m.timings = {100 + i % 7, 200 + i % 11, 300 + i % 13, 400 + i % 17};
    m.body_bytes = 1000 + i % 100;
    m.healthy = true;  // a current producer's verdict fields
    m.attempts = 1;
    m.producer = "bench:1";
    std::string value = hc::encode_message(m);
    copy << copy_line(m);
    while (true) {
      auto err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                   RD_KAFKA_V_KEY(m.url.data(), m.url.size()),
                                   RD_KAFKA_V_VALUE(value.data(), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::cerr << "preload: produce: " << rd_kafka_err2str(err) << '\n';
        return 1;
      }
      rd_kafka_poll(producer.get(), 10);
    }
    rd_kafka_poll(producer.get(), 0);
  }
  if (rd_kafka_flush(producer.get(), 120'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::cerr << "preload: flush timed out\n";
    return 1;
  }
  long kept = 0;
  long lowest_low = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    auto err =
        rd_kafka_query_watermark_offsets(producer.get(), topic.c_str(), p, &low, &high, 10'000);
    if (err) {
      std::cerr << "preload: watermarks of partition " << p << ": " << rd_kafka_err2str(err)
                << '\n';
      return 1;
    }
    kept += high - low;
    lowest_low = std::max<long>(lowest_low, low);
  }
  std::cout << "preloaded " << messages << " messages, " << urls << " urls, " << partitions
            << " partitions; in topic: " << kept << " (max low watermark " << lowest_low << ")\n";
  if (kept != messages) {
    std::cerr << "preload: the broker kept " << kept << " of " << messages
              << " messages: use more partitions\n";
    return 1;
  }
  return 0;
}
