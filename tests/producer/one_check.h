// Runs one site's check through CheckRunner (the producer's check path, on the test's thread)
// and judges it with the site's conditions, as a check loop does: for the checker tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "check_runner.h"
#include "check_verdict.h"
#include "site_plan.h"

namespace hc::producer {

struct Checked {
  std::shared_ptr<const SitePlan> plan;
  CheckResult result;
  Verdict verdict;
};

// Throws std::runtime_error when the check does not complete within 30 s.
// open_socket: how icmp checks open their socket (::socket unless a test refuses some kinds).
inline Checked check_once(const SiteConfig& config,
                          SocketOpener open_socket = system_socket_opener()) {
  SitePlans plans = build_site_plans({config}, std::nullopt);
  CheckRunner runner(std::move(open_socket));
  std::optional<CheckResult> result;
  runner.start(plans.plans.at(0), [&result](CheckResult&& done) { result = std::move(done); });
  EXPECT_FALSE(result) << "a completion runs inside run_once(), never inside start()";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) {
    runner.run_once(std::chrono::milliseconds(100));
  }
  if (!result) throw std::runtime_error("check did not complete within 30 s");
  EXPECT_EQ(runner.in_flight(), 0U);
  Verdict verdict = evaluate(*plans.plans[0]->conditions, *result, false,
                             WallTime(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())));
  return Checked{plans.plans[0], std::move(*result), std::move(verdict)};
}

}  // namespace hc::producer
