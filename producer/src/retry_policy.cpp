#include "retry_policy.h"

namespace hc::producer {

std::optional<TimePoint> retry_start(const RetryPolicy& policy, const AttemptEnd& attempt) {
  if (attempt.healthy) return std::nullopt;
  if (attempt.attempts_made > policy.retries) return std::nullopt;  // retries used up
  const TimePoint start = attempt.finished_at + policy.retry_delay;
  if (start + policy.timeout > attempt.next_deadline) return std::nullopt;
  return start;
}

}  // namespace hc::producer
