// summarize(): the one-line description `hc check-config` prints for a valid config.
#include <set>

#include "hc/common/config.h"

namespace hc {
namespace {

std::string count_of(std::size_t count, std::string_view singular, std::string_view plural) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

// Distinct values in order of first appearance.
std::vector<std::string> distinct(const std::vector<std::string>& values) {
  std::vector<std::string> result;
  std::set<std::string> seen;
  for (const std::string& value : values) {
    if (seen.insert(value).second) result.push_back(value);
  }
  return result;
}

std::string producer_summary(const ProducerConfig& producer) {
  if (!producer.sites_topic.empty()) {
    return "fleet mode: sites from topic " + producer.sites_topic + ", producer group " +
           producer.producer_group;
  }
  std::vector<std::string> topics;
  for (const SiteConfig& site : producer.websites) topics.push_back(site.destination_topic.str());
  topics = distinct(topics);
  constexpr std::size_t kNamedTopics = 5;
  std::string names;
  for (std::size_t i = 0; i < topics.size() && i < kNamedTopics; ++i) {
    names += (i > 0 ? ", " : "") + topics[i];
  }
  if (topics.size() > kNamedTopics) names += ", ...";
  return count_of(producer.websites.size(), "site", "sites") + ", " +
         count_of(topics.size(), "topic", "topics") + " (" + names + ")";
}

// Connection URIs are counted, never printed: they may hold passwords.
std::string consumer_summary(const ConsumerConfig& consumer) {
  std::set<std::string> topics;
  std::set<std::string> databases;
  std::set<std::pair<std::string, std::string>> tables;
  for (const TopicSinkConfig& route : consumer.topics) {
    topics.insert(route.source_topic);
    databases.insert(route.connection_uri);
    tables.emplace(route.connection_uri, route.table_name);
  }
  return "consumer group " + consumer.group_id + ": " + count_of(topics.size(), "topic", "topics") +
         " -> " + count_of(tables.size(), "table", "tables") + " in " +
         count_of(databases.size(), "database", "databases");
}

std::string notify_summary(const NotifyConfig& notify) {
  return "notify group " + notify.notify_group + ": " +
         count_of(notify.events_topics.size(), "events topic", "events topics") + " -> " +
         count_of(notify.routes.size(), "route", "routes") + " to " +
         count_of(notify.channels.size(), "channel", "channels");
}

}  // namespace

std::string summarize(const Config& config) {
  std::string summary;
  if (config.producer) summary = producer_summary(*config.producer);
  if (config.consumer) {
    if (!summary.empty()) summary += "; ";
    summary += consumer_summary(*config.consumer);
  }
  if (config.notify) {
    if (!summary.empty()) summary += "; ";
    summary += notify_summary(*config.notify);
  }
  return summary;
}

}  // namespace hc
