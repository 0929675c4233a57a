// A Clock that moves only when the test says so, for every unit test that drives time.
// Reading it from other threads is safe (the loops under test read it from theirs).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "hc/common/clock.h"

namespace hc::test {

class FakeClock final : public Clock {
 public:
  // Wall time at the start; by default the same count since the epoch as steady time, far
  // from zero so that subtracting an interval never goes below it.
  explicit FakeClock(WallTime wall_at_start = WallTime(std::chrono::hours(1000)))
      : wall_at_start_(wall_at_start) {}

  std::chrono::steady_clock::time_point now() const override {
    return kSteadyStart + std::chrono::nanoseconds(elapsed_ns_.load());
  }
  WallTime wall_now() const override {
    return wall_at_start_ + std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::nanoseconds(elapsed_ns_.load()));
  }
  void advance(std::chrono::nanoseconds step) { elapsed_ns_ += step.count(); }

 private:
  static constexpr std::chrono::steady_clock::time_point kSteadyStart{std::chrono::hours(1000)};
  const WallTime wall_at_start_;
  std::atomic<std::int64_t> elapsed_ns_{0};
};

}  // namespace hc::test
