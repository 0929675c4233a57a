#include "hc/producer/producer.h"

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "check_runner.h"
#include "event_publisher.h"
#include "file_site_source.h"
#include "hc/common/clock.h"
#include "producer_loop.h"
#include "producer_parts.h"
#include "publisher.h"
#include "state_restore.h"
#include "topic_site_source.h"

namespace hc {
namespace producer {
namespace {

// File mode takes the config's sites over: the plans then hold the only copy of each.
std::unique_ptr<SiteSource> site_source_of(Config& config) {
  if (!config.producer->sites_topic.empty()) {
    return std::make_unique<TopicSiteSource>(*config.producer);
  }
  return std::make_unique<FileSiteSource>(config.path, std::move(config.producer->websites));
}

// The production parts: libcurl/c-ares checks, Kafka for measurements, state changes and the
// restore, the config file or the sites topic, the system clock.
ProducerParts production_parts(Config& config) {
  const ProducerConfig& producer = *config.producer;
  ProducerParts parts;
  parts.clock = std::make_shared<SystemClock>();
  parts.sites = site_source_of(config);
  parts.make_checker = [] { return std::make_unique<CheckRunner>(); };
  parts.make_measurements = [&producer](ProducerStats& stats) {
    auto publisher =
        std::make_unique<Publisher>(producer.kafka, producer.max_queued_messages, stats);
    publisher->redact_query_params_in_logs(producer.redact_query_params);
    return publisher;
  };
  parts.make_events = [&producer](EventStats& stats) {
    auto events = std::make_unique<EventPublisher>(producer.kafka, stats);
    events->redact_query_params_in_logs(producer.redact_query_params);
    return events;
  };
  parts.restore_states = [kafka = producer.kafka](const std::vector<std::string>& topics,
                                                  const UrlSet& urls,
                                                  std::chrono::milliseconds timeout,
                                                  const std::function<bool()>& stop_requested,
                                                  KafkaSettingsProblem* settings_problem) {
    return restore_states(kafka, topics, urls, timeout, stop_requested, settings_problem);
  };
  return parts;
}

}  // namespace
}  // namespace producer

int run_producer(Config config, StopControl& control, const ProducerOptions& options) {
  if (!config.producer) throw std::invalid_argument("run_producer: config has no producer section");
  producer::ProducerParts parts = producer::production_parts(config);
  producer::ProducerLoop loop(*config.producer, options, std::move(parts));
  return loop.run(control);
}

}  // namespace hc
