// Restores the sites' states at start from their events topics: each topic is read from the
// beginning to the high watermark each partition had when the restore began, and the latest
// event of every owned URL is kept. The events topics are compacted (hc topics create), so
// this is one record per site plus what compaction has not reached yet.
//
// "Latest": within a partition, the later offset (the order the owning producer published
// in); across partitions (only after the topic's partition count changed), the later `at`.
//
// A tombstone (null value) deletes its key's state: the events before it in its partition
// are void, as compaction will make them.
//
// Never fatal: a record that is no valid event, or whose key is not its URL, is skipped and
// counted; a topic that does not exist yet has nothing to restore; a cluster that does not
// answer within `timeout` leaves the restore incomplete (reported), and the sites it did not
// reach start unknown. It also ends, incomplete, within about a second of `stop_requested`
// turning true (a SIGTERM during the start).
//
// A client error that names a setting (a refused password, an untrusted certificate) is noted
// in `settings_problem` when given, so /healthz says so during the restore's wait.
//
// Threads: one call on the caller's thread; it makes and destroys its own Kafka consumer.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/kafka_error_hint.h"
#include "hc/common/state_event.h"

namespace hc::producer {

// The URLs whose states are restored, viewed: the caller keeps the strings (a producer's
// plans) alive during the call, so that a million sites are not copied once more for it.
using UrlSet = std::unordered_set<std::string_view>;

struct RestoreResult {
  // By URL, owned URLs only; the keys view the caller's strings (UrlSet), no copy.
  std::unordered_map<std::string_view, StateEvent> latest;
  std::size_t partitions = 0;  // non-empty partitions read
  std::size_t records = 0;     // records read
  std::size_t skipped = 0;     // records that were no valid event
  bool complete = false;       // every partition read up to its high watermark in time
};

// Throws std::runtime_error only if the consumer cannot be created (settings librdkafka
// rejects, which the producer's own client would have refused first).
RestoreResult restore_states(
    const KafkaSettings& kafka, const std::vector<std::string>& topics, const UrlSet& owned_urls,
    std::chrono::milliseconds timeout,
    const std::function<bool()>& stop_requested = [] { return false; },
    KafkaSettingsProblem* settings_problem = nullptr);

}  // namespace hc::producer
