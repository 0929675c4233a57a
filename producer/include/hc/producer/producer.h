// The producer role: checks every configured site on its own interval and publishes one
// message v1 per check to the site's destination topic, keyed by URL.
#pragma once

#include <optional>
#include <string>

#include "hc/common/config.h"
#include "hc/common/signals.h"

namespace hc {

struct ShardSpec {
  int index = 0;  // 0-based, < count
  int count = 1;
};

struct ProducerOptions {
  std::string producer_id;         // "host:pid", written into every message
  std::optional<ShardSpec> shard;  // check only the sites whose URL hash falls in this shard
  std::string metrics_address;     // "HOST:PORT" for /metrics and /healthz; empty = off
};

// Runs until control.stop_requested(): then stops scheduling, lets in-flight checks finish
// (each within its own timeout), flushes Kafka and returns 0. The checks run on
// config.producer->check_threads threads of their own (each with a share of the sites);
// the calling thread serves Kafka's delivery reports, reloads and the periodic log line.
// File mode: the sites are config.producer->websites; on SIGHUP
// (control.take_reload_request()) re-reads config.path and applies the new site list; an
// invalid file is logged with its errors and the old list keeps running. Fleet mode
// (sites_topic set): the sites are those of the partitions of sites_topic that the group
// producer_group assigns to this process, followed live (producer/src/topic_site_source.h);
// the group is left after the checks ended; a site handed over has its state restored from
// its events topic before its first check here, and a revoke delivers the state changes
// published so far before it completes. REQUIRES in fleet mode: options.shard unset.
// REQUIRES: config.producer is set. Throws std::runtime_error if it cannot start, and
// rethrows what made a check thread fail (after stopping the others and flushing Kafka).
// Takes the config by value: pass it moved, and its websites are not held twice.
int run_producer(Config config, StopControl& control, const ProducerOptions& options);

}  // namespace hc
