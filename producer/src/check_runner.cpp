#include "check_runner.h"

#include <algorithm>

#include "site_plan.h"

namespace hc::producer {

CheckRunner::CheckRunner(SocketOpener open_socket)
    : resolver_(http_.event_loop()),
      sockets_(http_.event_loop(), resolver_),
      dns_(http_.event_loop()),
      icmp_(http_.event_loop(), resolver_, std::move(open_socket)) {}

void CheckRunner::start(const std::shared_ptr<const SitePlan>& plan, Completion done) {
  switch (plan->config.check_type) {
    case CheckType::kHttp:
      http_.start(plan->config.url, plan->request_as<CheckRequest>(), std::move(done));
      break;
    case CheckType::kTcp:
    case CheckType::kTls:
      sockets_.start(plan->request_as<SocketCheckRequest>(), std::move(done));
      break;
    case CheckType::kDns:
      dns_.start(plan->request_as<DnsCheckRequest>(), std::move(done));
      break;
    case CheckType::kIcmp:
      icmp_.start(plan->request_as<IcmpCheckRequest>(), std::move(done));
      break;
  }
}

std::size_t CheckRunner::run_once(std::chrono::milliseconds max_wait) {
  using SteadyClock = std::chrono::steady_clock;
  std::optional<SteadyClock::time_point> due = sockets_.next_timeout();
  for (const auto& other : {resolver_.next_timeout(), dns_.next_timeout(), icmp_.next_timeout()}) {
    if (other && (!due || *other < *due)) due = other;
  }
  if (due) {
    const auto until_due = std::chrono::ceil<std::chrono::milliseconds>(*due - SteadyClock::now());
    max_wait = std::clamp(until_due, std::chrono::milliseconds::zero(), max_wait);
  }
  std::size_t completed = http_.run_once(max_wait);
  if (due && *due <= SteadyClock::now()) {
    resolver_.expire();
    sockets_.expire();
    dns_.expire();
    icmp_.expire();
  }
  completed +=
      sockets_.deliver_completions() + dns_.deliver_completions() + icmp_.deliver_completions();
  return completed;
}

std::size_t CheckRunner::cancel_all() {
  return http_.cancel_all() + sockets_.cancel_all() + dns_.cancel_all() + icmp_.cancel_all();
}

}  // namespace hc::producer
