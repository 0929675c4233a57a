#include "site_states.h"

namespace hc::producer {

void SiteStates::restore(const StateEvent& latest) {
  MutexLock lock(mutex_);
  states_.insert_or_assign(latest.url, SiteState(latest.to, latest.at));
}

void SiteStates::forget(const std::string& url) {
  MutexLock lock(mutex_);
  states_.erase(url);
}

std::optional<StateEvent> SiteStates::observe(const std::string& url,
                                              const StateThresholds& thresholds,
                                              const Measurement& measurement) {
  const bool healthy = measurement.healthy.value_or(!measurement.error.has_value());
  StateCause cause;
  if (!healthy) {
    cause.failed_conditions = measurement.failed_conditions;
    cause.error = measurement.error;
    cause.error_detail = measurement.error_detail;
    cause.status_code = measurement.status_code;
  }
  std::optional<StateTransition> transition;
  {
    MutexLock lock(mutex_);
    transition = states_[url].observe(thresholds, healthy, measurement.measured_at, cause);
  }
  if (!transition) return std::nullopt;
  return state_event(url, *transition, producer_id_);
}

SiteStatus SiteStates::status_of(const std::string& url) const {
  MutexLock lock(mutex_);
  auto found = states_.find(url);
  return found == states_.end() ? SiteStatus::kUnknown : found->second.status();
}

std::size_t SiteStates::size() const {
  MutexLock lock(mutex_);
  return states_.size();
}

}  // namespace hc::producer
