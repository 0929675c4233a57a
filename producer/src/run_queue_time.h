// How long the calling thread has been runnable but waiting for a CPU, from the kernel's
// per-thread scheduler statistics (/proc/thread-self/schedstat, second field, ns). The loop
// reads it around each wait: what grew during a wait is how long the thread waited for a CPU
// after its events woke it, which no clock reading of its own can see (loop_lag.h).
//
// Thread: the object belongs to the thread that made it (it reads that thread's figures).
#pragma once

#include <chrono>
#include <optional>

#include "unique_fd.h"

namespace hc::producer {

class RunQueueTime {
 public:
  // Opens the calling thread's statistics; where the kernel keeps none (schedstat absent),
  // read() gives nullopt.
  RunQueueTime();

  std::optional<std::chrono::nanoseconds> read() const;

 private:
  UniqueFd schedstat_;
};

}  // namespace hc::producer
