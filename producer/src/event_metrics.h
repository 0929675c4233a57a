// Prometheus metrics of state-change events, read from EventStats at scrape time.
#pragma once

#include <prometheus/collectable.h>

#include <memory>

#include "event_publisher.h"

namespace hc::producer {

// `producer_metrics`' families followed by the events' (hc_state_changes_total{to}, ...).
// The result refers to `stats`: keep it alive while serving.
std::shared_ptr<prometheus::Collectable> with_event_metrics(
    std::shared_ptr<prometheus::Collectable> producer_metrics, const EventStats& stats);

}  // namespace hc::producer
