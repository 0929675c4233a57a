// When a failed delivery is tried again, and when it is given up (dead-lettered).
//
// Attempt n (1-based) that failed is followed by a wait of
//   min(max_backoff, initial_backoff * 2^(n-1)) * jitter,  jitter in [0.5, 1.0)
// ("equal jitter": spread, yet never shorter than half the step), unless the budget is
// spent: n == max_attempts, or the next attempt would start more than max_retry after the
// first one started.
//
// Thread: any (pure; the caller passes the jitter).
#pragma once

#include <chrono>
#include <optional>

#include "hc/common/notify_config.h"

namespace hc::notify {

// The wait before attempt `failed_attempts + 1`, or nullopt when the delivery is given up.
// `elapsed`: time since the first attempt started. `jitter` in [0.5, 1.0).
// REQUIRES: failed_attempts >= 1.
std::optional<std::chrono::milliseconds> next_retry_delay(const RetrySettings& settings,
                                                          int failed_attempts,
                                                          std::chrono::milliseconds elapsed,
                                                          double jitter);

}  // namespace hc::notify
