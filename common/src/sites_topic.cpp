#include "hc/common/sites_topic.h"

#include <utility>

namespace hc {

SitesTopicRead read_sites_topic(const KafkaSettings& kafka, const std::string& topic,
                                std::chrono::milliseconds timeout) {
  CompactedTopicRead read = read_compacted_topic(kafka, topic, timeout, "hc-sites-reader");
  return SitesTopicRead{std::move(read.latest), read.complete, std::move(read.problem)};
}

std::vector<std::string> publish_site_records(const KafkaSettings& kafka, const std::string& topic,
                                              const std::vector<SiteRecordToPublish>& records,
                                              std::chrono::milliseconds timeout) {
  return publish_keyed_records(kafka, topic, records, timeout, "hc-sites-writer");
}

}  // namespace hc
