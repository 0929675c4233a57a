#include <future>
#include <iostream>
#include <optional>
#include <utility>

#include "commands.h"
#include "hc/common/topic_admin.h"

namespace hc::cli {
namespace {

// Producer and consumer may name different clusters; each topic goes to the cluster of
// the section that names it. The sections' requests run at once, so each cluster gets the
// whole --timeout-ms and the command's total stays within it; report() prints the outcomes
// in section order.
std::future<std::vector<TopicCreateOutcome>> start_create(const KafkaSettings& kafka,
                                                          const Config& section,
                                                          const TopicsCreateOptions& options) {
  std::vector<TopicSpec> specs = configured_topic_specs(
      section, options.partitions, options.replication_factor, options.measurements_retention);
  return std::async(std::launch::async, [kafka, specs = std::move(specs), &options] {
    return create_topics(kafka, specs, options.timeout);
  });
}

int report(std::future<std::vector<TopicCreateOutcome>>& pending, const std::string& section) {
  int failures = 0;
  for (const auto& outcome : pending.get()) {
    switch (outcome.status) {
      case TopicCreateOutcome::Status::kCreated:
        std::cout << "created " << outcome.topic << '\n';
        break;
      case TopicCreateOutcome::Status::kAlreadyExists:
        std::cout << "exists  " << outcome.topic << '\n';
        break;
      case TopicCreateOutcome::Status::kFailed:
        std::cerr << "FAILED  " << outcome.topic << " (" << section << "): " << outcome.detail
                  << '\n';
        ++failures;
        break;
    }
  }
  return failures;
}

}  // namespace

int topics_create(const TopicsCreateOptions& options) {
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  std::optional<std::future<std::vector<TopicCreateOutcome>>> producer_topics;
  std::optional<std::future<std::vector<TopicCreateOutcome>>> consumer_topics;
  if (config->producer) {
    Config producer_only{config->path, config->producer, std::nullopt, std::nullopt, std::nullopt};
    producer_topics = start_create(config->producer->kafka, producer_only, options);
  }
  if (config->consumer) {
    Config consumer_only{config->path, std::nullopt, config->consumer, std::nullopt, std::nullopt};
    consumer_topics = start_create(config->consumer->kafka, consumer_only, options);
  }
  std::optional<std::future<std::vector<TopicCreateOutcome>>> notify_topics;
  if (config->notify) {
    Config notify_only{config->path, std::nullopt, std::nullopt, config->notify, std::nullopt};
    notify_topics = start_create(config->notify->kafka, notify_only, options);
  }
  int failures = 0;
  if (producer_topics) failures += report(*producer_topics, "healthcheck-producer-config");
  if (consumer_topics) failures += report(*consumer_topics, "healthcheck-consumer-config");
  if (notify_topics) failures += report(*notify_topics, "healthcheck-notify-config");
  if (failures > 0) {
    std::cerr << failures << " topic(s) not created. If the cluster is hc-devbroker: its mock "
              << "cluster does not serve CreateTopics (no controller); start it with "
              << "--topic NAME:PARTITIONS instead, or let first use auto-create them.\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace hc::cli
