// A Clock that only moves when the test says so.
#pragma once

#include <chrono>

#include "hc/common/clock.h"

namespace hc::test {

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point now() const override { return now_; }
  WallTime wall_now() const override {
    return WallTime(std::chrono::duration_cast<std::chrono::microseconds>(now_.time_since_epoch()));
  }
  void advance(std::chrono::nanoseconds step) { now_ += step; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

}  // namespace hc::test
