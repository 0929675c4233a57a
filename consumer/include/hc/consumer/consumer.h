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

// Creates or upgrades every configured table through the numbered migrations (recorded
// in hc_schema_migrations), under an advisory lock so concurrent callers are safe.
// Throws std::runtime_error naming the database (without password) and table on failure.
// Then closes the hourly rollups of every table (ended hours with new rows, rollup
// retention): a failure there is logged, not thrown, since readers stay exact without it.
void migrate_all(const ConsumerConfig& config);

}  // namespace hc
