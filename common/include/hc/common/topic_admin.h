// `hc topics create`: creates the configured topics through the Kafka AdminClient.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/config.h"

namespace hc {

struct TopicSpec {
  std::string name;
  int partitions = 6;
  int replication_factor = 3;
  // Topic configs set at creation, e.g. {"cleanup.policy", "compact"}.
  std::vector<std::pair<std::string, std::string>> configs;
};

struct TopicCreateOutcome {
  enum class Status { kCreated, kAlreadyExists, kFailed };
  std::string topic;
  Status status = Status::kFailed;
  std::string detail;  // broker's or librdkafka's message when kFailed
};

// Every topic the config names: producer destination and events topics, consumer source
// topics and their dead-letter topics, hc notify's events topics and its dead-letter topic;
// in fleet mode the sites topic and the destination and events topics of `defaults`. Sorted,
// without duplicates.
std::vector<std::string> configured_topics(const Config& config);

// configured_topics() as specs to create. Events topics (the producer's events_topic, the
// source_topic of a consumer route with kind: events, hc notify's events_topics) and the sites
// topic are compacted (cleanup.policy compact): a producer restores each site's state from the
// latest event of its key, and the sites topic keeps the latest value of each site.
// Measurement topics (destination topics, source topics of measurement routes) keep
// messages for `measurements_retention` (retention.ms) when given, else the broker's default;
// dead-letter topics always keep the broker's default.
std::vector<TopicSpec> configured_topic_specs(
    const Config& config, int partitions, int replication_factor,
    std::optional<std::chrono::hours> measurements_retention = std::nullopt);

// Sends one CreateTopics request and waits at most `timeout` for its answer. A topic that
// exists already is kAlreadyExists (a success). If the cluster does not answer in time
// every topic is kFailed with the reason: returns within `timeout` plus the client's
// teardown (milliseconds). Thread-safe: calls for different clusters may run in parallel.
// Throws std::invalid_argument when the Kafka settings are rejected by librdkafka.
std::vector<TopicCreateOutcome> create_topics(const KafkaSettings& kafka,
                                              const std::vector<TopicSpec>& topics,
                                              std::chrono::milliseconds timeout);

}  // namespace hc
