// The notify role (`hc notify`): a consumer-group member on the state-change events topics
// that tells people about each change through the configured channels (webhook, Slack,
// Teams, PagerDuty, email), at least once; for_s, grouping, reminders, rate limits and
// silences per channel (channel_worker.h).
//
// Delivery: an event's offset is committed only after every channel its routes name has
// accepted it or it was dead-lettered to NotifyConfig::dead_letter_topic. A crash repeats
// at most the deliveries not yet acknowledged, each with the same event id. Every channel
// has its own queue and thread, so a channel that is down delays only itself.
#pragma once

#include <string>

#include "hc/common/config.h"
#include "hc/common/signals.h"

namespace hc {

struct NotifyOptions {
  std::string metrics_address;  // "HOST:PORT" for /metrics and /healthz; empty = off
};

// Runs on the calling thread until control.stop_requested(): then abandons the deliveries
// in hand (their offsets stay uncommitted, so they are repeated by the next member), commits
// what was delivered, leaves the group and returns 0. Throws std::runtime_error if it
// cannot start (Kafka client, metrics address).
int run_notify(const NotifyConfig& config, StopControl& control, const NotifyOptions& options);

}  // namespace hc
