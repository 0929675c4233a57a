// Prometheus metrics of the consumer role (--metrics-addr), read from ConsumerStats at
// scrape time on the metrics server's thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "consumer_stats.h"
#include "hc/common/metric_families.h"

namespace hc::consumer {

// REQUIRES: `stats` outlives the returned collectable's use (stop the server first).
std::shared_ptr<prometheus::Collectable> consumer_metrics(const ConsumerStats& stats);

// nullopt while the consumer works; otherwise why not (Kafka or a database unreachable).
std::optional<std::string> consumer_problem(const ConsumerStats& stats);

}  // namespace hc::consumer
