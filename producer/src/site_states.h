// The states of every site this producer checks, by URL (SiteState each), and the one place
// that turns a published measurement into a state change.
//
// Threads: restore() before the check loops start (the coordinator); observe() from the
// check loops, several at once (one short lock per completed check). A site's checks all
// come from the one loop that owns its URL, so its changes are decided in check order.
// States are kept for the life of the process, also of sites a reload removed: a site put
// back continues its state rather than starting from unknown (in fleet mode the producer
// restores a site handed to it again, replacing what it kept).
//
// Memory: 32 bytes a site and a 4-byte index slot (PositionIndex), no copy of its URL: a site
// is known by a 128-bit fingerprint of its URL (site_key, site_hash.h; two URLs of a million
// share one with odds of about 1e-27, and would then share a state).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/common/mutex.h"
#include "hc/common/position_index.h"
#include "hc/common/state_event.h"
#include "site_hash.h"
#include "site_state.h"

namespace hc::producer {

class SiteStates {
 public:
  explicit SiteStates(std::string producer_id) : producer_id_(std::move(producer_id)) {}

  // Seeds the site of `url` with `status` since `since` (its latest event's `to` and `at`).
  // Replaces a state the site had.
  void restore(std::string_view url, SiteStatus status, WallTime since);
  // Forgets the state of `url` (it becomes unknown): a site that came back to this producer
  // with no event on its topic, so what this producer knew of it is stale.
  void forget(std::string_view url);

  // One measurement of `site` (the one just published): the event to publish when it decides
  // a change. Healthy is the measurement's verdict; a measurement without one (never made by
  // this producer) counts as healthy when it has no error.
  std::optional<StateEvent> observe(const std::string& url, const StateThresholds& thresholds,
                                    const Measurement& measurement);
  // The same with the site's URL and thresholds.
  std::optional<StateEvent> observe(const SiteConfig& site, const Measurement& measurement) {
    return observe(site.url, {site.down_after, site.up_after}, measurement);
  }

  // Room for `sites` states without growing (the sites a producer checks, once it knows them):
  // the table is not copied while the first checks fill it, and no older copy is left in the heap.
  void reserve(std::size_t sites);

  // The current status of `url` (kUnknown when never seen), for tests and logs.
  SiteStatus status_of(const std::string& url) const;
  // Sites with a state kept (checked or restored since the start, and not forgotten).
  std::size_t size() const;

 private:
  struct Entry {
    SiteKey key;  // site_key(url)
    SiteState state;
  };

  // The state of `key`, added as unknown when it has none.
  SiteState& state_of(const SiteKey& key) REQUIRES(mutex_);
  std::uint32_t position_of(const SiteKey& key) const REQUIRES(mutex_);

  std::string producer_id_;
  mutable Mutex mutex_;
  std::vector<Entry> entries_ GUARDED_BY(mutex_);
  PositionIndex index_ GUARDED_BY(mutex_);  // of entries_, by key.low
};

}  // namespace hc::producer
