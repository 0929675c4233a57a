// The state of one site (unknown, up, down) from its checks' verdicts, with thresholds
// against flapping, like Gatus's failure-threshold / success-threshold. Pure: no clock, no
// I/O; the caller owns one SiteState per site and feeds it that site's checks in order.
//
// Policy:
//   - unknown (never checked, nothing restored): the first check decides, healthy -> up,
//     unhealthy -> down. No threshold applies: there is no state to protect yet.
//   - up: down_after consecutive unhealthy checks -> down; a healthy check resets the count.
//   - down: up_after consecutive healthy checks -> up; an unhealthy check resets the count.
//   - A change is decided by the check that completes the count: its measured_at is the
//     change's `at`, and when it was unhealthy its failure is the change's cause.
//   - `at` never precedes the current state's start (`since`): if the check's time does (a
//     wall clock stepped back, or a restored state written by a host whose clock is ahead),
//     `at` is since + 1 us, so events of a site stay in order and their (url, at) distinct.
#pragma once

#include <optional>

#include "hc/common/state_event.h"

namespace hc::producer {

// SiteConfig::down_after / up_after. REQUIRES: both >= 1 (the config guarantees 1..100).
struct StateThresholds {
  int down_after = 1;
  int up_after = 1;
};

// A decided change; state_event() turns it into the published event.
struct StateTransition {
  SiteStatus from = SiteStatus::kUnknown;
  SiteStatus to = SiteStatus::kUnknown;
  WallTime at;
  std::optional<WallTime> since;    // when `from` began; nullopt from kUnknown
  std::optional<StateCause> cause;  // the deciding check's failure; nullopt when healthy

  bool operator==(const StateTransition&) const = default;
};

class SiteState {
 public:
  // A site never seen: kUnknown.
  SiteState() = default;
  // The state of a site's latest event (restored at start): `status` since `since`, with no
  // checks counted towards a change. REQUIRES: status is kUp or kDown.
  SiteState(SiteStatus status, WallTime since) : since_(since), status_(status) {}

  SiteStatus status() const { return status_; }
  // When the current status began; nullopt while unknown.
  std::optional<WallTime> since() const {
    if (status_ == SiteStatus::kUnknown) return std::nullopt;
    return since_;
  }

  // One completed check of the site: `cause` is its failure when it was unhealthy
  // (ignored when healthy). Returns the change it decides, if any.
  std::optional<StateTransition> observe(const StateThresholds& thresholds, bool healthy,
                                         WallTime measured_at, const StateCause& cause);

 private:
  // 16 bytes: a producer keeps one for every site it has checked (site_states.h).
  WallTime since_{};  // meaningful once status_ is known: a known status always has a start
  SiteStatus status_ = SiteStatus::kUnknown;
  int streak_ = 0;  // consecutive checks that disagree with status_
};

static_assert(sizeof(SiteState) == 16);

// The event of `transition` for `url`, with previous_duration_s = whole seconds from since
// to at.
StateEvent state_event(const std::string& url, const StateTransition& transition,
                       const std::string& producer_id);

}  // namespace hc::producer
