// How late one check loop may have been for a check. The loop learns of a socket's readiness
// only when it waits again, so an event that came while the loop was busy (curl's callbacks,
// verdicts, publishing, starting checks) was acted on up to that long after it happened, and
// the timings libcurl and the socket checks take then include the delay. A wait after which
// the thread waited for a CPU (a timed wait that returns later than asked, or the kernel's
// run-queue time that grew during the wait: run_queue_time.h) delays them the same way.
//
// A check's events come one after another (its request goes out once its connect is seen, its
// reply is read after that), and each may have waited through a different busy span, so the
// loop's share of its timings is bounded by the sum of these spans while it ran, not by the
// longest one. LoopLag keeps that sum: busy_since() answers it for a check from its mark (the
// message field loop_lag_us, with the start's own lateness; check_loop.cpp). It is an upper
// bound: a span in which none of the check's events was pending counts too, so on a loop that
// is busy most of the time it approaches the check's whole duration, which is then what the
// loop cannot vouch for.
//
// Thread: one (the loop's). Cost: O(1) per wait and per query, no memory.
#pragma once

#include <chrono>
#include <optional>

namespace hc::producer {

class LoopLag {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // The loop's busy time up to a check's start (busy_since() subtracts it).
  using Mark = std::chrono::nanoseconds;

  // The loop is about to wait, at `now`: the time since the last wait ended was busy.
  void wait_begins(TimePoint now);
  // The wait ended at `now`; `timed_out`: it ended by its timeout, which was due at
  // `timeout_at` (a later `now` is time the thread waited for a CPU); `cpu_wait`: how long
  // the thread was runnable without a CPU during the wait, where known.
  void wait_ended(TimePoint now, TimePoint timeout_at, bool timed_out,
                  std::chrono::nanoseconds cpu_wait = {});

  // For a check starting at `now`: what busy_since() counts from.
  Mark mark(TimePoint now) const { return busy_until(now); }
  // The loop's busy time and late wake-ups between `mark` and `now`, the busy span in progress
  // at `now` included (a completion runs inside one). REQUIRES: now is not before the mark's
  // time, nor before the last wait_begins() or wait_ended().
  std::chrono::nanoseconds busy_since(Mark mark, TimePoint now) const {
    return busy_until(now) - mark;
  }

 private:
  std::chrono::nanoseconds busy_until(TimePoint now) const {
    return busy_ + (busy_since_ ? now - *busy_since_ : std::chrono::nanoseconds::zero());
  }

  std::chrono::nanoseconds busy_{};      // every busy span and late wake-up that ended
  std::optional<TimePoint> busy_since_;  // set between a wait's end and the next wait
};

}  // namespace hc::producer
