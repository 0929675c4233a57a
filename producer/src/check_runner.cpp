#include "check_runner.h"

#include <algorithm>

#include "site_plan.h"

namespace hc::producer {

CheckRunner::CheckRunner()
    : resolver_(http_.event_loop()), sockets_(http_.event_loop(), resolver_) {}

void CheckRunner::start(const std::shared_ptr<const SitePlan>& plan, Completion done) {
  if (plan->socket_request) {
    sockets_.start(plan->socket_request, std::move(done));
  } else {
    http_.start(plan->request, std::move(done));
  }
}

std::size_t CheckRunner::run_once(std::chrono::milliseconds max_wait) {
  using SteadyClock = std::chrono::steady_clock;
  std::optional<SteadyClock::time_point> due = sockets_.next_timeout();
  if (const auto lookups_due = resolver_.next_timeout();
      lookups_due && (!due || *lookups_due < *due)) {
    due = lookups_due;
  }
  if (due) {
    const auto until_due = std::chrono::ceil<std::chrono::milliseconds>(*due - SteadyClock::now());
    max_wait = std::clamp(until_due, std::chrono::milliseconds::zero(), max_wait);
  }
  std::size_t completed = http_.run_once(max_wait);
  if (due && *due <= SteadyClock::now()) {
    resolver_.expire();
    sockets_.expire();
  }
  completed += sockets_.deliver_completions();
  return completed;
}

std::size_t CheckRunner::cancel_all() { return http_.cancel_all() + sockets_.cancel_all(); }

}  // namespace hc::producer
