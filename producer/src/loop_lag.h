// How late one check loop may have been for a check. The loop learns of a socket's readiness
// only when it waits again, so an event that came while the loop was busy (curl's callbacks,
// verdicts, publishing, starting checks) was acted on up to that long after it happened, and
// the timings libcurl and the socket checks take then include the delay. A wait after which
// the thread waited for a CPU (a timed wait that returns later than asked, or the kernel's
// run-queue time that grew during the wait: run_queue_time.h) delays them the same way.
// LoopLag keeps these spans and answers, for a check, the longest one since it started: a
// bound on how much of its timings may be the loop's and not the site's (message field
// loop_lag_us, with the start's own lateness; check_loop.cpp).
//
// Thread: one (the loop's). Cost: O(1) amortised per wait, O(log n) per query; the spans kept
// are only those longer than every later one, forgotten after `horizon`.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace hc::producer {

class LoopLag {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Mark = std::uint64_t;

  // Spans that ended more than `horizon` ago are forgotten: longer than any check lasts
  // (the longest timeout plus its retries' waits are within a site's interval).
  explicit LoopLag(std::chrono::nanoseconds horizon = std::chrono::minutes(10))
      : horizon_(horizon) {}

  // The loop is about to wait, at `now`: the time since the last wait ended was busy.
  void wait_begins(TimePoint now);
  // The wait ended at `now`; `timed_out`: it ended by its timeout, which was due at
  // `timeout_at` (a later `now` is time the thread waited for a CPU); `cpu_wait`: how long
  // the thread was runnable without a CPU during the wait, where known.
  void wait_ended(TimePoint now, TimePoint timeout_at, bool timed_out,
                  std::chrono::nanoseconds cpu_wait = {});

  // For a check starting now: what longest_since() compares with.
  Mark mark() const { return next_index_; }
  // The longest busy span or late wake-up since `mark`, the busy span in progress at `now`
  // included (a completion runs inside one).
  std::chrono::nanoseconds longest_since(Mark mark, TimePoint now) const;

 private:
  struct Span {
    Mark index;
    std::chrono::nanoseconds length;
    TimePoint ended_at;
  };
  void record(std::chrono::nanoseconds length, TimePoint ended_at);

  std::chrono::nanoseconds horizon_;
  // Spans by index, each longer than every later one: the longest since any mark is the
  // first whose index is not below it.
  std::deque<Span> longest_;
  std::optional<TimePoint> busy_since_;  // set between a wait's end and the next wait
  Mark next_index_ = 0;
};

}  // namespace hc::producer
