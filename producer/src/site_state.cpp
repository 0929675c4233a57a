#include "site_state.h"

namespace hc::producer {

std::optional<StateTransition> SiteState::observe(const StateThresholds& thresholds, bool healthy,
                                                  WallTime measured_at, const StateCause& cause) {
  const SiteStatus seen = healthy ? SiteStatus::kUp : SiteStatus::kDown;
  if (seen == status_) {
    streak_ = 0;
    return std::nullopt;
  }
  ++streak_;
  const int needed = status_ == SiteStatus::kUnknown ? 1
                     : healthy                       ? thresholds.up_after
                                                     : thresholds.down_after;
  if (streak_ < needed) return std::nullopt;

  StateTransition transition;
  transition.from = status_;
  transition.to = seen;
  transition.since = since();
  transition.at = measured_at;
  if (transition.since && transition.at <= *transition.since) {
    transition.at = *transition.since + std::chrono::microseconds(1);
  }
  if (!healthy) transition.cause = cause;
  status_ = seen;
  since_ = transition.at;
  streak_ = 0;
  return transition;
}

StateEvent state_event(const std::string& url, const StateTransition& transition,
                       const std::string& producer_id) {
  StateEvent event;
  event.url = url;
  event.from = transition.from;
  event.to = transition.to;
  event.at = transition.at;
  event.cause = transition.cause;
  event.since = transition.since;
  if (transition.since) {
    event.previous_duration_s =
        std::chrono::floor<std::chrono::seconds>(transition.at - *transition.since).count();
  }
  event.producer = producer_id;
  return event;
}

}  // namespace hc::producer
