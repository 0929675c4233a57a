#include "loop_lag.h"

#include <algorithm>

namespace hc::producer {

void LoopLag::wait_begins(TimePoint now) {
  if (!busy_since_) return;
  record(now - *busy_since_, now);
  busy_since_.reset();
}

void LoopLag::wait_ended(TimePoint now, TimePoint timeout_at, bool timed_out,
                         std::chrono::nanoseconds cpu_wait) {
  const std::chrono::nanoseconds woke_late = std::max(
      timed_out && now > timeout_at ? now - timeout_at : std::chrono::nanoseconds{}, cpu_wait);
  if (woke_late > std::chrono::nanoseconds::zero()) record(woke_late, now);
  busy_since_ = now;
}

void LoopLag::record(std::chrono::nanoseconds length, TimePoint ended_at) {
  while (!longest_.empty() && longest_.back().length <= length) longest_.pop_back();
  longest_.push_back(Span{next_index_++, length, ended_at});
  while (longest_.front().ended_at + horizon_ < ended_at) longest_.pop_front();
}

std::chrono::nanoseconds LoopLag::longest_since(Mark mark, TimePoint now) const {
  std::chrono::nanoseconds longest =
      busy_since_ ? now - *busy_since_ : std::chrono::nanoseconds::zero();
  const auto first = std::partition_point(longest_.begin(), longest_.end(),
                                          [mark](const Span& span) { return span.index < mark; });
  if (first != longest_.end()) longest = std::max(longest, first->length);
  return longest;
}

}  // namespace hc::producer
