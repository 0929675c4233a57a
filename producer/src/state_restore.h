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

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/kafka_error_hint.h"
#include "hc/common/state_event.h"

namespace hc::producer {

// The URLs whose states are restored, viewed: the caller keeps the strings (a producer's
// plans) alive during the call, so that a million sites are not copied once more for it.
// Sorted, without repeats, 16 bytes a URL and no node per URL: a producer's whole site list
// is restored at once.
class UrlSet {
 public:
  UrlSet() = default;
  UrlSet(std::initializer_list<std::string_view> urls) : UrlSet(std::vector(urls)) {}
  explicit UrlSet(std::vector<std::string_view> urls);

  // The position of `url` in [0, size()), or nullopt when the set does not hold it.
  std::optional<std::size_t> position(std::string_view url) const;
  bool contains(std::string_view url) const { return position(url).has_value(); }

  std::string_view operator[](std::size_t position) const { return urls_[position]; }
  std::size_t size() const { return urls_.size(); }
  bool empty() const { return urls_.empty(); }
  auto begin() const { return urls_.begin(); }
  auto end() const { return urls_.end(); }

 private:
  std::vector<std::string_view> urls_;
};

// What a restore keeps of a site's latest event: the state it announced and since when. The
// rest of the event (its cause, the state before) is not needed to continue the site's state,
// and a million sites restore at once.
struct RestoredState {
  SiteStatus status = SiteStatus::kUnknown;  // the event's `to`
  WallTime since;                            // the event's `at`
  bool operator==(const RestoredState&) const = default;
};

struct RestoreResult {
  // By position in the UrlSet restored: latest[i] is the state of its i-th URL, nullopt when
  // no event of it was found. Empty, or as long as the set.
  std::vector<std::optional<RestoredState>> latest;
  std::size_t partitions = 0;  // non-empty partitions read
  std::size_t records = 0;     // records read
  std::size_t skipped = 0;     // records that were no valid event
  bool complete = false;       // every partition read up to its high watermark in time

  // Sites with a state in `latest`.
  std::size_t restored() const {
    return static_cast<std::size_t>(std::count_if(
        latest.begin(), latest.end(), [](const auto& state) { return state.has_value(); }));
  }
};

// Throws std::runtime_error only if the consumer cannot be created (settings librdkafka
// rejects, which the producer's own client would have refused first).
RestoreResult restore_states(
    const KafkaSettings& kafka, const std::vector<std::string>& topics, const UrlSet& owned_urls,
    std::chrono::milliseconds timeout,
    const std::function<bool()>& stop_requested = [] { return false; },
    KafkaSettingsProblem* settings_problem = nullptr);

}  // namespace hc::producer
