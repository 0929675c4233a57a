// What runs a check loop's checks: CheckRunner (libcurl, sockets, c-ares) in production, a
// fake in unit tests (producer_parts.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "http_checker.h"
#include "loop_lag.h"

namespace hc::producer {

struct SitePlan;

// Runs checks for one check loop (CheckRunner in production).
// Thread: everything except wakeup() from the loop's thread; completions run on it, inside
// run_once().
class Checker {
 public:
  using Completion = std::function<void(CheckResult&&)>;
  virtual ~Checker() = default;
  // Starts one check of the site; `done` is called exactly once unless cancel_all() comes
  // first.
  virtual void start(const std::shared_ptr<const SitePlan>& plan, Completion done) = 0;
  // Waits up to max_wait for activity (or wakeup()), then completes what finished. Returns
  // how many completed.
  virtual std::size_t run_once(std::chrono::milliseconds max_wait) = 0;
  // Makes a blocked run_once() return early. Thread-safe.
  virtual void wakeup() = 0;
  virtual std::size_t in_flight() const = 0;
  // Abandons every check in flight; returns how many.
  virtual std::size_t cancel_all() = 0;
  // How late the checker's loop has been (loop_lag.h): a check's timings may include it.
  virtual const LoopLag& loop_lag() const = 0;
  // Frees what the checker keeps for reuse beyond what the checks since the previous call
  // needed at once (HttpChecker::release_idle). Called once a period (memory_release.h).
  virtual void release_idle() = 0;
};

}  // namespace hc::producer
