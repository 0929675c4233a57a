// When a producer hands back the memory its checks no longer use: pure, the clock passed in.
//
// Why: a check's transfer (curl's connection and its 16 KB receive buffer, the message) is
// allocated and freed on its loop's thread, so glibc serves it from that thread's arena; what a
// burst of checks in flight took stays there as free chunks among the live ones, resident, and
// the checker keeps an idle easy handle (~9 KB with what curl keeps of a transfer) for every
// check that was in flight at once. At 200,000 sites @60 s (3,333 checks/s) on a loaded 2-core
// machine, after a burst, that was ~9 MB of idle handles and ~9 MB of free chunks; what the
// releases below gave back there was ~4 MB (bench/scale/README.md). So once a period:
//   - each check loop, at the end of a turn, frees the idle handles beyond the most checks it
//     had in flight at once during the period (HttpChecker::release_idle): a burst's handles
//     go, a steady load keeps those it uses;
//   - the coordinator, half a period later (after the loops' frees), hands the free pages of
//     every arena back to the system (malloc_trim(0)). Not on a check loop's thread: the walk
//     of the free heap took 1-45 ms at 200,000 sites, which would delay that loop's checks; the
//     loops wait only while their own (small) arena is trimmed.
//
// Rule: the first release is due kPeriod after `start`; each one is due kPeriod after the one
// before it was made (a late turn does not make two in a row).
//
// Thread: not thread-safe; one per check loop and one for the coordinator, each on its thread.
#pragma once

#include <chrono>

#include "scheduler.h"

namespace hc::producer {

class MemoryReleaseSchedule {
 public:
  // Long enough that the releases (the walk of the free heap, the pages touched again after
  // it, the handles made again) cost little; short enough that a burst's memory goes back
  // soon after it.
  static constexpr std::chrono::seconds kPeriod{10};

  explicit MemoryReleaseSchedule(TimePoint start) : next_release_(start + kPeriod) {}

  // True when a release is due at `now`; the next one is then due kPeriod after `now`.
  bool take_due(TimePoint now) {
    if (now < next_release_) return false;
    next_release_ = now + kPeriod;
    return true;
  }

 private:
  TimePoint next_release_;
};

}  // namespace hc::producer
