#include "check_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace hc::producer {
namespace {

ProducerConfig with(std::size_t check_threads, std::size_t max_in_flight = 1000) {
  ProducerConfig config;
  config.check_threads = check_threads;
  config.max_in_flight = max_in_flight;
  return config;
}

TEST(CheckThreads, ConfiguredCountWinsOverTheCpus) {
  EXPECT_EQ(check_thread_count(with(3), 16), 3u);
  EXPECT_EQ(check_thread_count(with(12), 2), 12u);
}

TEST(CheckThreads, AutomaticCountIsOnePerCpuWithinBounds) {
  EXPECT_EQ(check_thread_count(with(0), 2), 2u);
  EXPECT_EQ(check_thread_count(with(0), 0), 1u) << "unknown CPU count";
  EXPECT_EQ(check_thread_count(with(0), 64), ProducerConfig::kAutoCheckThreadsMax);
}

TEST(CheckThreads, NeverMoreLoopsThanInFlightSlots) {
  EXPECT_EQ(check_thread_count(with(4, 3), 8), 3u);
  EXPECT_EQ(check_thread_count(with(0, 1), 8), 1u);
}

TEST(CheckThreads, InFlightBoundIsSplitEvenlyAndSumsToTheTotal) {
  for (const std::size_t total : std::array<std::size_t, 4>{1, 7, 8, 1000}) {
    for (std::size_t threads = 1; threads <= std::min<std::size_t>(total, 5); ++threads) {
      std::size_t sum = 0;
      for (std::size_t i = 0; i < threads; ++i) {
        const std::size_t bound = loop_in_flight_bound(total, threads, i);
        EXPECT_GE(bound, total / threads) << total << " over " << threads;
        EXPECT_LE(bound, total / threads + 1) << total << " over " << threads;
        sum += bound;
      }
      EXPECT_EQ(sum, total) << total << " over " << threads;
    }
  }
}

TEST(CheckThreads, UsableCpusIsAtLeastOne) { EXPECT_GE(usable_cpu_count(), 1u); }

TEST(CheckThreads, CpuQuotaIsRoundedUpToWholeCpus) {
  EXPECT_EQ(cpus_of_quota("200000", "100000"), 2u);
  EXPECT_EQ(cpus_of_quota("150000", "100000"), 2u);
  EXPECT_EQ(cpus_of_quota("50000", "100000"), 1u);
}

TEST(CheckThreads, NoCpuQuotaMeansNoLimit) {
  EXPECT_EQ(cpus_of_quota("max", "100000"), std::nullopt);  // cgroup v2
  EXPECT_EQ(cpus_of_quota("-1", "100000"), std::nullopt);   // cgroup v1
  EXPECT_EQ(cpus_of_quota("", ""), std::nullopt);           // no such file
  EXPECT_EQ(cpus_of_quota("100000", "0"), std::nullopt);
  EXPECT_EQ(cpus_of_quota("12x", "100000"), std::nullopt);
}

}  // namespace
}  // namespace hc::producer
