#include <iostream>

#include "commands.h"
#include "hc/common/topic_admin.h"

namespace hc::cli {
namespace {

// Producer and consumer may name different clusters; each topic goes to the cluster of
// the section that names it.
int create_on(const KafkaSettings& kafka, const std::vector<std::string>& names,
              const TopicsCreateOptions& options, const std::string& section) {
  std::vector<TopicSpec> specs;
  specs.reserve(names.size());
  for (const auto& name : names) {
    specs.push_back({name, options.partitions, options.replication_factor});
  }
  int failures = 0;
  for (const auto& outcome : create_topics(kafka, specs, options.timeout)) {
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
  int failures = 0;
  if (config->producer) {
    Config producer_only{config->path, config->producer, std::nullopt};
    failures += create_on(config->producer->kafka, configured_topics(producer_only), options,
                          "healthcheck-producer-config");
  }
  if (config->consumer) {
    Config consumer_only{config->path, std::nullopt, config->consumer};
    failures += create_on(config->consumer->kafka, configured_topics(consumer_only), options,
                          "healthcheck-consumer-config");
  }
  if (failures > 0) {
    std::cerr << failures << " topic(s) not created. If the cluster is hc-devbroker: its mock "
              << "cluster does not serve CreateTopics (no controller); start it with "
              << "--topic NAME:PARTITIONS instead, or let first use auto-create them.\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace hc::cli
