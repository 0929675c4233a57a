// Time sources, injected so tests can drive time.
#pragma once

#include <chrono>

#include "hc/common/message.h"

namespace hc {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for deadlines and durations.
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // Wall time for measured_at.
  virtual WallTime wall_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
  WallTime wall_now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

}  // namespace hc
