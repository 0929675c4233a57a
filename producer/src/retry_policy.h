// Whether a failed attempt of a check is tried again, and when: pure, no I/O, no clock.
//
// Rule: a retry of a failed attempt (unhealthy verdict or transport error) starts at
// finished_at + retry_delay, and only if
//   - fewer than `retries` retries were made for this check, and
//   - that retry cannot run into the site's next scheduled deadline even if it takes its whole
//     timeout: finished_at + retry_delay + timeout <= next_deadline.
// So a retry never delays or skips the next scheduled check (the no-drift schedule stays
// exact), and a site whose timeout and retry delay do not fit in what is left of its interval
// is reported after fewer attempts rather than late. A healthy attempt is never retried; a
// cancelled check has no outcome and never reaches this decision.
//
// Thread: any (stateless).
#pragma once

#include <chrono>
#include <optional>

#include "scheduler.h"

namespace hc::producer {

struct RetryPolicy {
  int retries = 0;                          // retries allowed after the first attempt (0..5)
  std::chrono::milliseconds retry_delay{};  // from the end of a failed attempt to the retry
  std::chrono::milliseconds timeout{};      // one attempt's longest run
};

// An attempt that just ended.
struct AttemptEnd {
  bool healthy = false;
  int attempts_made = 1;    // this one included (>= 1)
  TimePoint finished_at;    // when it ended
  TimePoint next_deadline;  // the site's next scheduled check
};

// When to start the retry of `attempt`; nullopt: no retry, the attempt is the check's result.
std::optional<TimePoint> retry_start(const RetryPolicy& policy, const AttemptEnd& attempt);

}  // namespace hc::producer
