// Reading and writing a compacted topic of string keys as a whole, for the tools that manage
// one (`hc sites` and the sites API on the sites topic, the silences API on the silences
// topic). Long-running readers (the fleet's producers, `hc notify`) follow such a topic with
// their own consumer instead.
//
// Thread: any; each call makes and destroys its own Kafka client.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/kafka_settings.h"
#include "hc/common/site_set.h"

namespace hc {

struct CompactedTopicRead {
  // The latest value of each key (SiteSet's fold holds for any compacted topic).
  SiteSet latest;
  // False when the cluster did not answer in time or a partition could not be read to its
  // end: `latest` is then what was read, and `problem` says what is missing.
  bool complete = false;
  std::string problem;
};

// Reads every partition of `topic` from its beginning to its end at the time of the call,
// as Kafka client `client_id` (no offsets are committed). A topic that does not exist yet is
// complete and empty. Returns within `timeout` (plus the client's teardown).
CompactedTopicRead read_compacted_topic(const KafkaSettings& kafka, const std::string& topic,
                                        std::chrono::milliseconds timeout,
                                        const std::string& client_id);

// One record to publish: the key, and the value or nullopt for a tombstone.
using KeyedRecord = std::pair<std::string, std::optional<std::string>>;

// Publishes `records` in order (idempotent producer, acks=all, the Java client's murmur2
// partitioner so every client puts a key in the same partition) and waits until every one
// is acknowledged or `timeout` passes. Returns one line per record that failed ("KEY: why");
// empty when all were written. Throws std::invalid_argument for settings librdkafka refuses.
std::vector<std::string> publish_keyed_records(const KafkaSettings& kafka, const std::string& topic,
                                               const std::vector<KeyedRecord>& records,
                                               std::chrono::milliseconds timeout,
                                               const std::string& client_id);

}  // namespace hc
