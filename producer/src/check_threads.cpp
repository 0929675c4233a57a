#include "check_threads.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace hc::producer {

std::size_t usable_cpu_count() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
    return static_cast<std::size_t>(CPU_COUNT(&cpus));
  }
  return std::thread::hardware_concurrency();  // 0 when unknown
}

std::size_t check_thread_count(const ProducerConfig& config, std::size_t usable_cpus) {
  std::size_t count = config.check_threads;
  if (count == 0)
    count = std::clamp<std::size_t>(usable_cpus, 1, ProducerConfig::kAutoCheckThreadsMax);
  return std::min(count, config.max_in_flight);
}

std::size_t loop_in_flight_bound(std::size_t max_in_flight, std::size_t threads,
                                 std::size_t index) {
  return max_in_flight / threads + (index < max_in_flight % threads ? 1 : 0);
}

}  // namespace hc::producer
