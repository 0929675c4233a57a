// The consumer role: a Kafka consumer-group member that writes every message of each
// source topic into every table that topic feeds, committing offsets only after all of
// those tables committed.
#pragma once

#include <string>

#include "hc/common/config.h"
#include "hc/common/signals.h"

namespace hc {

struct ConsumerOptions {
  std::string metrics_address;  // "HOST:PORT" for /metrics and /healthz; empty = off
};

// Runs on the calling thread until control.stop_requested(): then writes the batch in
// hand, commits, leaves the group and returns 0. A database outage pauses consumption
// and retries; it never makes this return. Throws std::runtime_error if it cannot start.
int run_consumer(const ConsumerConfig& config, StopControl& control,
                 const ConsumerOptions& options);

}  // namespace hc
