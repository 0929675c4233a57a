// Reads a topic from the beginning with a plain librdkafka consumer (partitions assigned
// directly, no group join), for tests that check what a producer published.
#pragma once

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/kafka_handles.h"

namespace hc::test {

struct KafkaRecord {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  // The value of header `name`, or "<missing>".
  std::string header(const std::string& name) const {
    for (const auto& [header_name, header_value] : headers) {
      if (header_name == name) return header_value;
    }
    return "<missing>";
  }
};

// A polled message as a KafkaRecord: key, value and every header.
inline KafkaRecord record_of(const rd_kafka_message_t& message) {
  KafkaRecord record;
  if (message.key != nullptr) {
    record.key.assign(static_cast<const char*>(message.key), message.key_len);
  }
  if (message.payload != nullptr) {
    record.value.assign(static_cast<const char*>(message.payload), message.len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      record.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
  }
  return record;
}

// Returns the records of partitions [0, partitions) of `topic`, reading until `expected`
// records arrived or nothing new came for `idle` (the topic is then assumed complete). The
// first record may take longer (consumer start-up on a busy machine): up to 10 s.
inline std::vector<KafkaRecord> read_topic(
    const std::string& bootstrap_servers, const std::string& topic, int partitions,
    std::size_t expected, std::chrono::milliseconds idle = std::chrono::seconds(3)) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap_servers};
  KafkaConf conf = make_kafka_conf(settings, {{"group.id", "hc-test-reader"},
                                              {"enable.auto.commit", "false"},
                                              {"enable.partition.eof", "false"}});
  std::array<char, 512> reason{};
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), reason.data(), reason.size()));
  if (!consumer) throw std::runtime_error(std::string("test consumer: ") + reason.data());
  conf.release();
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), assignment.get());

  std::vector<KafkaRecord> records;
  auto last_progress = std::chrono::steady_clock::now();
  const auto first_record_wait =
      std::max<std::chrono::milliseconds>(idle, std::chrono::seconds(10));
  while (records.size() < expected && std::chrono::steady_clock::now() - last_progress <
                                          (records.empty() ? first_record_wait : idle)) {
    KafkaMessage message(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!message || message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    records.push_back(record_of(*message));
    last_progress = std::chrono::steady_clock::now();
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

// The number of records ever appended to partitions [0, partitions) of `topic` (the sum of
// their high watermarks: right for topics that nothing compacts or expires during a test).
inline std::int64_t topic_record_count(const std::string& bootstrap_servers,
                                       const std::string& topic, int partitions) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap_servers};
  KafkaConf conf = make_kafka_conf(settings, {{"group.id", "hc-test-reader"}});
  std::array<char, 512> reason{};
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), reason.data(), reason.size()));
  if (!consumer) throw std::runtime_error(std::string("test consumer: ") + reason.data());
  conf.release();
  std::int64_t records = 0;
  for (int partition = 0; partition < partitions; ++partition) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const rd_kafka_resp_err_t error = rd_kafka_query_watermark_offsets(
        consumer.get(), topic.c_str(), partition, &low, &high, 10'000);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("watermarks of " + topic + " [" + std::to_string(partition) +
                               "]: " + rd_kafka_err2str(error));
    }
    records += high;
  }
  return records;
}

}  // namespace hc::test
