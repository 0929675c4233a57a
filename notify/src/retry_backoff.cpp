#include "retry_backoff.h"

#include <algorithm>

namespace hc::notify {

std::optional<std::chrono::milliseconds> next_retry_delay(const RetrySettings& settings,
                                                          int failed_attempts,
                                                          std::chrono::milliseconds elapsed,
                                                          double jitter) {
  if (failed_attempts >= settings.max_attempts) return std::nullopt;
  // Doubling stops at the cap, so the shift never overflows.
  std::chrono::milliseconds step = settings.initial_backoff;
  for (int i = 1; i < failed_attempts && step < settings.max_backoff; ++i) step *= 2;
  step = std::min(step, settings.max_backoff);
  const auto delay = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(step.count()) * std::clamp(jitter, 0.5, 1.0)));
  if (elapsed + delay > settings.max_retry) return std::nullopt;
  return delay;
}

}  // namespace hc::notify
