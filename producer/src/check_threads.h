// How many check loops a producer runs, and how the concurrency bound is shared by them.
#pragma once

#include <cstddef>

#include "hc/common/config.h"

namespace hc::producer {

// CPUs this process may run on: its affinity mask, which containers and taskset narrow.
std::size_t usable_cpu_count();

// config.check_threads, or when it is 0 one per usable CPU, at most
// ProducerConfig::kAutoCheckThreadsMax. Never more than max_in_flight: each loop needs a
// slot.
std::size_t check_thread_count(const ProducerConfig& config, std::size_t usable_cpus);

// The bound of loop `index` of `threads`: max_in_flight split as evenly as it goes, so the
// loops together never run more than max_in_flight checks.
// REQUIRES: 0 < threads <= max_in_flight, index < threads.
std::size_t loop_in_flight_bound(std::size_t max_in_flight, std::size_t threads, std::size_t index);

}  // namespace hc::producer
