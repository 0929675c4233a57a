// Reading and writing the sites topic (fleet mode, site_json.h) for the tools that manage it
// (`hc sites`, the sites API). The fleet's producers follow it through their own group
// consumer instead.
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

struct SitesTopicRead {
  SiteSet sites;
  // False when the cluster did not answer in time or a partition could not be read to its
  // end: `sites` is then what was read, and `problem` says what is missing.
  bool complete = false;
  std::string problem;
};

// Reads every partition of `topic` from its beginning to its end at the time of the call.
// A topic that does not exist yet is complete and empty. Returns within `timeout` (plus the
// client's teardown).
SitesTopicRead read_sites_topic(const KafkaSettings& kafka, const std::string& topic,
                                std::chrono::milliseconds timeout);

// One record to publish: key = URL; value = the site's JSON, or nullopt for a tombstone.
using SiteRecordToPublish = std::pair<std::string, std::optional<std::string>>;

// Publishes `records` in order (idempotent producer, acks=all, the Java client's murmur2
// partitioner so every client puts a URL in the same partition) and waits until every one
// is acknowledged or `timeout` passes. Returns one line per record that failed ("URL: why");
// empty when all were written. Throws std::invalid_argument for settings librdkafka refuses.
std::vector<std::string> publish_site_records(const KafkaSettings& kafka, const std::string& topic,
                                              const std::vector<SiteRecordToPublish>& records,
                                              std::chrono::milliseconds timeout);

}  // namespace hc
