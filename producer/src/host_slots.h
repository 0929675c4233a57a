// The per-host limit (SiteConfig::max_concurrent_per_host), shared by every check loop of a
// producer: at most `limit` checks of one host run at once, however many sites name it and
// whichever loops they belong to (sites are split over loops by URL hash, so the sites of one
// host are in every loop).
//
// Policy: a check takes one of its host's slots before it starts. When fewer than its site's
// limit are taken and no check of the host waits, it gets one at once; otherwise it joins the
// host's queue, first come first served over all loops. A returned slot goes straight to the
// first check in the queue (when the taken slots are below that check's limit), and that
// check's loop is woken to start it: a slot is never free while a check of its host waits for
// one it could take.
//
// Thread: any; each call takes the one mutex briefly. Wakers are called with it released,
// from the thread that returned the slot.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hc/common/mutex.h"

namespace hc::producer {

class HostSlots {
 public:
  using LoopIndex = std::size_t;

  // `loops` check loops, numbered 0 .. loops-1.
  explicit HostSlots(std::size_t loops);
  HostSlots(const HostSlots&) = delete;
  HostSlots& operator=(const HostSlots&) = delete;

  // Called (from any thread) when a slot was handed to one of loop's waiting checks; an empty
  // function (the default) wakes nothing. REQUIRES: loop < loops. The waker must stay callable
  // until it is replaced: a loop clears its own before it is destroyed.
  void set_waker(LoopIndex loop, std::function<void()> wake);

  // Takes a slot of `host` for a check of `loop` and returns true, or queues the check (the
  // loop keeps it; the slot arrives through take_granted()) and returns false.
  // REQUIRES: limit > 0.
  bool acquire(const std::string& host, std::size_t limit, LoopIndex loop);

  // Gives back a slot taken by acquire() or handed over by take_granted().
  void release(const std::string& host);

  // Takes one of loop's queued checks of `host` out of the queue (a site removed, a stop).
  // Returns false when the loop has none queued there: its slot was handed over already and
  // waits in take_granted(), whose caller then gives it back.
  bool withdraw(const std::string& host, LoopIndex loop);

  // The hosts whose slots were handed to loop's queued checks since the last call, one entry
  // per slot, in the order they were handed over. Each is the loop's to start or release().
  std::vector<std::string> take_granted(LoopIndex loop);

  // Slots of `host` taken now (handed-over ones included); for tests and the stats.
  std::size_t taken(const std::string& host) const;

 private:
  struct Waiter {
    LoopIndex loop = 0;
    std::size_t limit = 0;
  };
  struct Host {
    std::size_t taken = 0;
    std::deque<Waiter> queue;
  };

  mutable Mutex mutex_;
  std::unordered_map<std::string, Host> hosts_ GUARDED_BY(mutex_);    // only hosts in use
  std::vector<std::vector<std::string>> granted_ GUARDED_BY(mutex_);  // by loop
  std::vector<std::function<void()>> wakers_ GUARDED_BY(mutex_);      // by loop
};

}  // namespace hc::producer
