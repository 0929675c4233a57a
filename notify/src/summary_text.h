// The one-line plain-text summary of a state change that chat and incident channels show:
//   "DOWN https://example.com/ (unexpected_status: HTTP 500; failed: status)"
//   "UP https://example.com/ (was down 3m 20s)"
//
// Thread: any (pure). The caller escapes it for its format.
#pragma once

#include <cstdint>
#include <string>

#include "notification.h"

namespace hc::notify {

std::string summary_text(const Notification& notification);

// "45s", "3m 20s", "2h 5m", "3d 4h".
std::string format_duration(std::int64_t seconds);

}  // namespace hc::notify
