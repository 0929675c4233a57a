#include <unistd.h>

#include <array>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "hc/common/signals.h"
#include "hc/consumer/consumer.h"
#include "hc/notify/notify.h"
#include "hc/producer/producer.h"

namespace hc::cli {
namespace {

std::string default_producer_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) return "unknown:" + std::to_string(getpid());
  return std::string(host.data()) + ":" + std::to_string(getpid());
}

std::optional<ShardSpec> parse_shard(const std::string& text) {
  int index = 0;
  int count = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &index, &count, &tail) != 2 || count < 1 || index < 0 ||
      index >= count) {
    return std::nullopt;
  }
  return ShardSpec{index, count};
}

}  // namespace

int run_producer_role(const RoleOptions& options) {
  ProducerOptions producer_options{default_producer_id(), std::nullopt, options.metrics_address};
  if (!options.shard.empty()) {
    producer_options.shard = parse_shard(options.shard);
    if (!producer_options.shard) {
      std::cerr << "hc: --shard expects I/N with 0 <= I < N, got '" << options.shard << "'\n";
      return kExitUsage;
    }
  }
  auto config = load_or_report(options.config_path, IcmpAccess::kProbe);
  if (!config) return kExitUsage;
  if (!config->producer) {
    std::cerr << options.config_path << ": no healthcheck-producer-config section\n";
    return kExitUsage;
  }
  if (producer_options.shard && !config->producer->sites_topic.empty()) {
    std::cerr << "hc: --shard applies to file mode only: with sites_topic ("
              << config->producer->sites_topic << ") the producers of group "
              << config->producer->producer_group
              << " share the sites through Kafka; run them without --shard\n";
    return kExitUsage;
  }
  // Blocks SIGINT/SIGTERM/SIGHUP before any library starts a thread.
  StopControl control;
  SignalWatcher watcher(control);
  return run_producer(std::move(*config), control, producer_options);
}

int run_consumer_role(const RoleOptions& options) {
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << options.config_path << ": no healthcheck-consumer-config section\n";
    return kExitUsage;
  }
  StopControl control;
  SignalWatcher watcher(control);
  return run_consumer(*config->consumer, control, ConsumerOptions{options.metrics_address});
}

int run_notify_role(const RoleOptions& options) {
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  if (!config->notify) {
    std::cerr << options.config_path << ": no healthcheck-notify-config section\n";
    return kExitUsage;
  }
  StopControl control;
  SignalWatcher watcher(control);
  return run_notify(*config->notify, control, NotifyOptions{options.metrics_address});
}

}  // namespace hc::cli
