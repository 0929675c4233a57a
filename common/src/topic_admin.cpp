#include "hc/common/topic_admin.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <stdexcept>
#include <utility>

#include "hc/common/kafka_handles.h"

namespace hc {
namespace {

struct AdminDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
using NewTopic = std::unique_ptr<rd_kafka_NewTopic_t, AdminDeleter>;
using AdminOptions = std::unique_ptr<rd_kafka_AdminOptions_t, AdminDeleter>;
using KafkaEvent = std::unique_ptr<rd_kafka_event_t, AdminDeleter>;

std::vector<TopicCreateOutcome> all_failed(const std::vector<TopicSpec>& topics,
                                           const std::string& detail) {
  std::vector<TopicCreateOutcome> outcomes;
  outcomes.reserve(topics.size());
  for (const auto& topic : topics) {
    outcomes.push_back({topic.name, TopicCreateOutcome::Status::kFailed, detail});
  }
  return outcomes;
}

// Fleet mode: the sites topic (compacted) and the topics of `defaults` (a site from the
// sites topic may name others; those are created by first use or by hand). Pairs of
// (topic, compacted).
std::vector<std::pair<std::string, bool>> fleet_topics(const ProducerConfig& producer) {
  std::vector<std::pair<std::string, bool>> topics;
  if (producer.sites_topic.empty()) return topics;
  topics.emplace_back(producer.sites_topic, true);
  const SiteConfig& defaults = producer.site_defaults;
  if (!defaults.destination_topic.empty()) {
    topics.emplace_back(defaults.destination_topic.str(), false);
    topics.emplace_back(defaults.events_topic.empty() ? defaults.destination_topic.str() + ".events"
                                                      : defaults.events_topic.str(),
                        true);
  }
  return topics;
}

}  // namespace

std::vector<std::string> configured_topics(const Config& config) {
  std::set<std::string> names;
  if (config.producer) {
    for (const auto& site : config.producer->websites) {
      names.insert(site.destination_topic.str());
      names.insert(site.events_topic.str());
    }
    for (const auto& [name, compacted] : fleet_topics(*config.producer)) names.insert(name);
  }
  if (config.consumer) {
    for (const auto& route : config.consumer->topics) {
      names.insert(route.source_topic);
      names.insert(route.dead_letter_topic);
    }
  }
  if (config.notify) {
    names.insert(config.notify->events_topics.begin(), config.notify->events_topics.end());
    names.insert(config.notify->dead_letter_topic);
    names.insert(config.notify->silences_topic);
  }
  names.erase("");
  return {names.begin(), names.end()};
}

std::vector<TopicSpec> configured_topic_specs(
    const Config& config, int partitions, int replication_factor,
    std::optional<std::chrono::hours> measurements_retention) {
  std::set<std::string> compacted;
  std::set<std::string> measurements;
  if (config.producer) {
    for (const auto& site : config.producer->websites) {
      compacted.insert(site.events_topic.str());
      measurements.insert(site.destination_topic.str());
    }
    for (const auto& [name, is_compacted] : fleet_topics(*config.producer)) {
      (is_compacted ? compacted : measurements).insert(name);
    }
  }
  if (config.consumer) {
    // A consumer may be configured alone: its events routes name the same topics.
    for (const auto& route : config.consumer->topics) {
      (route.kind == RouteKind::kEvents ? compacted : measurements).insert(route.source_topic);
    }
  }
  if (config.notify) {  // hc notify reads the producer's events topics
    compacted.insert(config.notify->events_topics.begin(), config.notify->events_topics.end());
    compacted.insert(config.notify->silences_topic);  // key = silence id, tombstone ends it
  }
  std::vector<TopicSpec> specs;
  for (std::string& name : configured_topics(config)) {
    TopicSpec spec{name, partitions, replication_factor, {}};
    if (compacted.contains(name)) {
      spec.configs = {{"cleanup.policy", "compact"}};
    } else if (measurements.contains(name) && measurements_retention) {
      const auto retention_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(*measurements_retention);
      spec.configs = {{"retention.ms", std::to_string(retention_ms.count())}};
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::vector<TopicCreateOutcome> create_topics(const KafkaSettings& kafka,
                                              const std::vector<TopicSpec>& topics,
                                              std::chrono::milliseconds timeout) {
  if (topics.empty()) return {};
  std::array<char, 512> error_text{};
  KafkaConf conf = make_kafka_conf(kafka, {{"client.id", "hc-topics-create"}});
  KafkaHandle client =
      make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the Kafka admin client");

  std::vector<NewTopic> new_topics;
  std::vector<rd_kafka_NewTopic_t*> raw_topics;
  for (const auto& spec : topics) {
    NewTopic topic(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                         spec.replication_factor, error_text.data(),
                                         error_text.size()));
    if (!topic)
      throw std::invalid_argument(fmt::format("topic {}: {}", spec.name, error_text.data()));
    for (const auto& [key, value] : spec.configs) {
      if (rd_kafka_resp_err_t error =
              rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str());
          error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::invalid_argument(
            fmt::format("topic {}: config {}: {}", spec.name, key, rd_kafka_err2str(error)));
      }
    }
    raw_topics.push_back(topic.get());
    new_topics.push_back(std::move(topic));
  }
  AdminOptions options(rd_kafka_AdminOptions_new(client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  int timeout_ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, error_text.data(),
                                            error_text.size());
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, error_text.data(),
                                              error_text.size());
  KafkaQueue queue(rd_kafka_queue_new(client.get()));
  rd_kafka_CreateTopics(client.get(), raw_topics.data(), raw_topics.size(), options.get(),
                        queue.get());

  // librdkafka answers by request_timeout at the latest, but only on its next timer tick: the
  // wait is bounded by `timeout` itself, so the caller's bound holds.
  KafkaEvent event(rd_kafka_queue_poll(queue.get(), timeout_ms));
  if (!event) {
    return all_failed(topics, fmt::format("no answer from the cluster within {} ms", timeout_ms));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return all_failed(topics, rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  if (result == nullptr) return all_failed(topics, "unexpected answer to CreateTopics");
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<TopicCreateOutcome> outcomes;
  for (std::size_t i = 0; i < count; ++i) {
    TopicCreateOutcome outcome{rd_kafka_topic_result_name(results[i]),
                               TopicCreateOutcome::Status::kCreated, ""};
    rd_kafka_resp_err_t error = rd_kafka_topic_result_error(results[i]);
    if (error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      outcome.status = TopicCreateOutcome::Status::kAlreadyExists;
    } else if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      outcome.status = TopicCreateOutcome::Status::kFailed;
      const char* text = rd_kafka_topic_result_error_string(results[i]);
      outcome.detail = text != nullptr ? text : rd_kafka_err2str(error);
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace hc
