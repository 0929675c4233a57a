// How many check loops a producer runs, and how the concurrency bound is shared by them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "hc/common/config.h"

namespace hc::producer {

// CPUs this process may use: its affinity mask (taskset, cpusets), lowered to its CPU
// quota rounded up when one is set (a container's --cpus or a Kubernetes CPU limit, read from
// the cgroup v2 cpu.max or v1 cpu.cfs_quota_us at /sys/fs/cgroup, the container's view).
std::size_t usable_cpu_count();

// CPUs a CFS quota allows, rounded up: ceil(quota / period). nullopt for no limit ("max",
// or a negative v1 quota) or text that is not two positive numbers.
std::optional<std::size_t> cpus_of_quota(std::string_view quota, std::string_view period);

// config.check_threads, or when it is 0 one per usable CPU, at most
// ProducerConfig::kAutoCheckThreadsMax. Never more than max_in_flight: each loop needs a
// slot.
std::size_t check_thread_count(const ProducerConfig& config, std::size_t usable_cpus);

// The bound of loop `index` of `threads`: max_in_flight split as evenly as it goes, so the
// loops together never run more than max_in_flight checks.
// REQUIRES: 0 < threads <= max_in_flight, index < threads.
std::size_t loop_in_flight_bound(std::size_t max_in_flight, std::size_t threads, std::size_t index);

}  // namespace hc::producer
