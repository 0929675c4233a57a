// RAII owners for librdkafka handles and the shared way to build a client config and a
// client.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hc/common/config.h"

namespace hc {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using KafkaPartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter>;
using KafkaHeaders = std::unique_ptr<rd_kafka_headers_t, RdKafkaDeleter>;
using KafkaQueue = std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter>;
using KafkaError = std::unique_ptr<rd_kafka_error_t, RdKafkaDeleter>;
using KafkaTopic = std::unique_ptr<rd_kafka_topic_t, RdKafkaDeleter>;
using KafkaMetadata = std::unique_ptr<const rd_kafka_metadata_t, RdKafkaDeleter>;

// Builds a librdkafka config from the security settings plus role-specific properties
// (applied after, so they win). Throws std::invalid_argument naming the property and
// librdkafka's reason; the value is not included (it may be a secret).
KafkaConf make_kafka_conf(const KafkaSettings& settings,
                          const std::vector<std::pair<std::string, std::string>>& properties);

// Creates a librdkafka client: every Kafka client of hc (producer, consumer, dead-letter
// producer, topic admin) is made here, so that each one logs alike. Installs a log callback
// on `conf` that sends every librdkafka log line through spdlog's default logger (so JSON
// with --log-format json), at the matching level, with the fields `facility` and `client`.
// Takes `conf` in every case (librdkafka owns it on success, it is freed on failure).
// `what` names the client for the error ("the dead-letter producer"); throws
// std::runtime_error "cannot create {what}: {librdkafka's reason}".
// Callbacks already set on `conf` (delivery, rebalance, opaque) are kept; a log callback set
// before is replaced.
KafkaHandle make_kafka_client(rd_kafka_type_t type, KafkaConf conf, std::string_view what);

}  // namespace hc
