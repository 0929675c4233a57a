// ProbesInFlight (probes_in_flight.h): the socket, icmp and dns checkers' checks in flight. Ids
// are never used again, a taken probe is gone with its deadline, and expiry goes by deadline.
#include "probes_in_flight.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hc::producer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Probe {
  std::uint64_t id = 0;
  std::string name;
};

TEST(ProbesInFlight, EveryProbeGetsAnIdNeverUsedAgain) {
  ProbesInFlight<Probe> probes;
  const Clock::time_point at = Clock::now();
  const std::uint64_t first = probes.add(at).id;
  const std::uint64_t second = probes.add(at).id;
  EXPECT_NE(first, second);
  probes.take(first);
  probes.clear();
  const std::uint64_t third = probes.add(at).id;
  EXPECT_NE(third, first);
  EXPECT_NE(third, second);
  // A late callback for an ended check finds nothing, even after new checks started.
  EXPECT_EQ(probes.find(first), nullptr);
  EXPECT_EQ(probes.find(second), nullptr);
  ASSERT_NE(probes.find(third), nullptr);
  EXPECT_EQ(probes.find(third)->id, third);
}

TEST(ProbesInFlight, ExpiresByDeadlineNotByOrderOfStart) {
  ProbesInFlight<Probe> probes;
  const Clock::time_point now = Clock::now();
  probes.add(now + milliseconds(30)).name = "late";
  probes.add(now + milliseconds(10)).name = "early";
  probes.add(now + milliseconds(20)).name = "middle";
  EXPECT_EQ(probes.next_deadline(), now + milliseconds(10));

  std::vector<std::string> expired;
  while (Probe* probe = probes.first_expired(now + milliseconds(20))) {
    expired.push_back(probe->name);
    probes.take(probe->id);
  }
  EXPECT_EQ(expired, (std::vector<std::string>{"early", "middle"}));
  EXPECT_EQ(probes.size(), 1U);
  EXPECT_EQ(probes.next_deadline(), now + milliseconds(30));
  EXPECT_EQ(probes.first_expired(now + milliseconds(29)), nullptr);
}

TEST(ProbesInFlight, TakingAProbeHandsItOverAndDropsItsDeadline) {
  ProbesInFlight<Probe> probes;
  const Clock::time_point now = Clock::now();
  Probe& added = probes.add(now);
  added.name = "ended";
  const std::uint64_t id = added.id;
  const std::unique_ptr<Probe> taken = probes.take(id);
  EXPECT_EQ(taken->name, "ended");
  EXPECT_EQ(probes.size(), 0U);
  EXPECT_FALSE(probes.next_deadline().has_value());
  EXPECT_EQ(probes.first_expired(now + milliseconds(1)), nullptr);
}

TEST(ProbesInFlight, ForEachVisitsEveryProbeAndClearForgetsThem) {
  ProbesInFlight<Probe> probes;
  const Clock::time_point now = Clock::now();
  for (int i = 0; i < 5; ++i) probes.add(now + milliseconds(i)).name = std::to_string(i);
  int visited = 0;
  probes.for_each([&](const Probe& probe) {
    EXPECT_EQ(probes.find(probe.id), &probe);
    ++visited;
  });
  EXPECT_EQ(visited, 5);
  probes.clear();
  EXPECT_EQ(probes.size(), 0U);
  EXPECT_FALSE(probes.next_deadline().has_value());
}

}  // namespace
}  // namespace hc::producer
