#include "check_threads.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace hc::producer {
namespace {

std::optional<long long> positive_number(std::string_view text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [last, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || last != end || value <= 0) return std::nullopt;
  return value;
}

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The quota of this process's cgroup, if the kernel shows one: cgroup v2 first, then v1.
std::optional<std::size_t> cgroup_cpu_quota() {
  std::istringstream v2(first_line("/sys/fs/cgroup/cpu.max"));  // "QUOTA PERIOD" or "max PERIOD"
  std::string quota;
  std::string period;
  if (v2 >> quota >> period) return cpus_of_quota(quota, period);
  return cpus_of_quota(first_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                       first_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
}

}  // namespace

std::optional<std::size_t> cpus_of_quota(std::string_view quota, std::string_view period) {
  const std::optional<long long> quota_us = positive_number(quota);
  const std::optional<long long> period_us = positive_number(period);
  if (!quota_us || !period_us) return std::nullopt;
  return static_cast<std::size_t>((*quota_us + *period_us - 1) / *period_us);
}

std::size_t usable_cpu_count() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  std::size_t count = sched_getaffinity(0, sizeof cpus, &cpus) == 0
                          ? static_cast<std::size_t>(CPU_COUNT(&cpus))
                          : std::thread::hardware_concurrency();  // 0 when unknown
  if (const std::optional<std::size_t> quota = cgroup_cpu_quota()) {
    count = count == 0 ? *quota : std::min(count, *quota);
  }
  return count;
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
