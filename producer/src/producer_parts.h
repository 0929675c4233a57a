// The parts a producer is built from (ProducerLoop, producer_loop.h), as interfaces: what
// runs the checks (Checker), where measurements and state changes go (MeasurementSink,
// EventSink), where a site's last state is read back from (StateRestorer), where the sites
// come from (SiteSource, site_source.h) and the clock. Production wires libcurl/c-ares, Kafka
// and the config file or sites topic (run_producer, producer.cpp); unit tests wire fakes and
// a fake clock and drive the loops turn by turn.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "checker.h"
#include "event_publisher.h"
#include "hc/common/clock.h"
#include "hc/common/kafka_error_hint.h"
#include "producer_stats.h"
#include "sinks.h"
#include "site_source.h"
#include "state_restore.h"

namespace hc::producer {

// Reads back the latest event of each of `urls` from `topics` (restore_states in
// production, state_restore.h), within `timeout` or until `stop_requested`.
using StateRestorer = std::function<RestoreResult(
    const std::vector<std::string>& topics, const UrlSet& urls, std::chrono::milliseconds timeout,
    const std::function<bool()>& stop_requested, KafkaSettingsProblem* settings_problem)>;

struct ProducerParts {
  std::shared_ptr<const Clock> clock;
  std::unique_ptr<SiteSource> sites;
  // One checker per check loop.
  std::function<std::unique_ptr<Checker>()> make_checker;
  // The sinks may count into the stats they are given, which outlive them.
  std::function<std::unique_ptr<MeasurementSink>(ProducerStats& stats)> make_measurements;
  std::function<std::unique_ptr<EventSink>(EventStats& stats)> make_events;
  StateRestorer restore_states;
};

}  // namespace hc::producer
