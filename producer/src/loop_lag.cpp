#include "loop_lag.h"

#include <algorithm>

namespace hc::producer {

void LoopLag::wait_begins(TimePoint now) {
  if (!busy_since_) return;
  busy_ += now - *busy_since_;
  busy_since_.reset();
}

void LoopLag::wait_ended(TimePoint now, TimePoint timeout_at, bool timed_out,
                         std::chrono::nanoseconds cpu_wait) {
  const std::chrono::nanoseconds woke_late = std::max(
      timed_out && now > timeout_at ? now - timeout_at : std::chrono::nanoseconds{}, cpu_wait);
  busy_ += std::max(woke_late, std::chrono::nanoseconds::zero());
  busy_since_ = now;
}

}  // namespace hc::producer
