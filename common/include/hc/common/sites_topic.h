// Reading and writing the sites topic (fleet mode, site_json.h) for the tools that manage it
// (`hc sites`, the sites API of `hc serve`): compacted_topic.h with the sites' client ids.
// The fleet's producers follow the topic through their own group consumer instead.
//
// Thread: any; each call makes and destroys its own Kafka client.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "hc/common/compacted_topic.h"
#include "hc/common/kafka_settings.h"
#include "hc/common/site_set.h"

namespace hc {

struct SitesTopicRead {
  SiteSet sites;
  // As CompactedTopicRead: false when not every partition was read to its end in time.
  bool complete = false;
  std::string problem;
};

// read_compacted_topic as client "hc-sites-reader".
SitesTopicRead read_sites_topic(const KafkaSettings& kafka, const std::string& topic,
                                std::chrono::milliseconds timeout);

// One record to publish: key = URL; value = the site's JSON, or nullopt for a tombstone.
using SiteRecordToPublish = KeyedRecord;

// publish_keyed_records as client "hc-sites-writer".
std::vector<std::string> publish_site_records(const KafkaSettings& kafka, const std::string& topic,
                                              const std::vector<SiteRecordToPublish>& records,
                                              std::chrono::milliseconds timeout);

}  // namespace hc
