#include "check_loop.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "check_measurement.h"
#include "hc/common/logging.h"
#include "retry_policy.h"

namespace hc::producer {
namespace {

// Longest the loop blocks in curl: bounds how late a stop or a new site list is seen when
// no wakeup arrives.
constexpr auto kMaxWait = std::chrono::milliseconds(100);

// StopControl keeps its wakers for its whole life, which is longer than the checker's: the
// waker reaches the checker through this guard, which is cleared before the checker dies.
class CheckerWakeGuard {
 public:
  CheckerWakeGuard(StopControl& control, Checker& checker) : target_(std::make_shared<Target>()) {
    target_->checker = &checker;
    control.add_waker([target = target_] {
      MutexLock lock(target->mutex);
      if (target->checker != nullptr) target->checker->wakeup();
    });
  }
  ~CheckerWakeGuard() {
    MutexLock lock(target_->mutex);
    target_->checker = nullptr;
  }
  CheckerWakeGuard(const CheckerWakeGuard&) = delete;
  CheckerWakeGuard& operator=(const CheckerWakeGuard&) = delete;

 private:
  struct Target {
    Mutex mutex;
    Checker* checker = nullptr;
  };
  std::shared_ptr<Target> target_;
};

void add(std::atomic<std::uint64_t>& counter, std::uint64_t delta) {
  if (delta != 0) counter.fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace

CheckLoop::CheckLoop(const CheckLoopContext& context, std::size_t max_in_flight,
                     std::unique_ptr<Checker> checker, std::size_t index)
    : context_(context),
      scheduler_(context.clock, max_in_flight),
      checker_(std::move(checker)),
      index_(index),
      memory_release_(context.clock.now()) {
  context_.host_slots.set_waker(index_, [this] { checker_->wakeup(); });
}

CheckLoop::~CheckLoop() { context_.host_slots.set_waker(index_, {}); }

std::uint64_t CheckLoop::assign_sites(SitePlans sites) {
  std::uint64_t ticket = 0;
  {
    MutexLock lock(assigned_mutex_);
    assigned_ = std::move(sites);
    ticket = ++assigned_ticket_;
  }
  checker_->wakeup();
  return ticket;
}

bool CheckLoop::settled(std::uint64_t ticket) const {
  if (finished_.load(std::memory_order_acquire)) return true;
  return applied_ticket_.load(std::memory_order_acquire) >= ticket &&
         !removed_in_flight_.load(std::memory_order_acquire);
}

void CheckLoop::run(StopControl& control) {
  CheckerWakeGuard wake_guard(control, *checker_);
  while (!control.stop_requested()) turn(kMaxWait);
  stopping_ = true;
  cancel_waiting_retries();
  drop_host_waits(true);
  const TimePoint give_up_at = context_.clock.now() + context_.shutdown_grace;
  while (checker_->in_flight() > 0 && context_.clock.now() < give_up_at) {
    checker_->run_once(std::min(
        kMaxWait, std::chrono::ceil<std::chrono::milliseconds>(give_up_at - context_.clock.now())));
    report_counters();
  }
  add(context_.stats.cancelled_checks, checker_->cancel_all());
  report_counters();
  finished_.store(true, std::memory_order_release);
}

void CheckLoop::turn(std::chrono::milliseconds max_wait) {
  apply_assigned_sites();
  std::size_t starts_left = kStartsPerTurn + completed_last_turn_;
  starts_left -= std::min(starts_left, start_granted_attempts());
  starts_left -= start_due_retries(starts_left);
  start_due_checks(starts_left);
  // With starts left over, wait_budget() is 0: the checker serves what is ready, and the next
  // turn starts more.
  completed_last_turn_ = checker_->run_once(std::min(max_wait, wait_budget()));
  report_counters();
  // Here the turn's completions are published and nothing it started waits on the loop.
  if (memory_release_.take_due(context_.clock.now())) checker_->release_idle();
}

void CheckLoop::apply_assigned_sites() {
  std::optional<SitePlans> sites;
  std::uint64_t ticket = 0;
  {
    MutexLock lock(assigned_mutex_);
    sites.swap(assigned_);
    ticket = assigned_ticket_;
  }
  if (!sites) {
    removed_in_flight_.store(scheduler_.dropped_in_flight() > 0, std::memory_order_release);
    return;
  }
  scheduler_.replace_sites(sites->schedule);
  sites->schedule = {};
  std::vector<std::string> removed_urls;
  if (!plans_.empty()) {  // the first list removes nothing: no set of its URLs is needed
    std::unordered_set<std::string_view> urls;
    urls.reserve(sites->plans.size());
    for (const auto& plan : sites->plans) urls.insert(plan->display_url());
    for (const auto& plan : plans_) {
      if (!urls.contains(plan->display_url())) removed_urls.push_back(plan->display_url());
    }
  }
  plans_ = std::move(sites->plans);
  if (!removed_urls.empty()) context_.metrics.forget_sites(removed_urls);
  drop_host_waits(false);
  // A removed site waiting for a retry ends now: it holds a slot and would keep a revoke
  // waiting for nothing.
  for (auto retry = retries_due_.begin(); retry != retries_due_.end();) {
    if (scheduler_.is_scheduled(retry->second.site)) {
      ++retry;
      continue;
    }
    scheduler_.finished(retry->second.site);
    retry = retries_due_.erase(retry);
  }
  // The previous plans and the list's schedule are freed here, after the coordinator handed
  // its freed heap back (ProducerLoop::assign_sites): hand these back too.
  sites.reset();
  malloc_trim(0);
  removed_in_flight_.store(scheduler_.dropped_in_flight() > 0, std::memory_order_release);
  applied_ticket_.store(ticket, std::memory_order_release);
}

void CheckLoop::start_due_checks(std::size_t limit) {
  for (std::size_t started = 0; started < limit; ++started) {
    const std::optional<Start> start = scheduler_.next_start();
    if (!start) return;
    context_.stats.lateness.record(start->lateness);
    context_.metrics.observe_lateness(start->lateness);
    start_attempt(CheckInProgress{start->site, plans_.at(start->index), start->next_deadline, 0,
                                  start->lateness});
  }
}

std::size_t CheckLoop::start_due_retries(std::size_t limit) {
  const TimePoint now = context_.clock.now();
  std::size_t started = 0;
  while (started < limit && !retries_due_.empty() && retries_due_.begin()->first <= now) {
    CheckInProgress check = std::move(retries_due_.begin()->second);
    check.start_lateness = now - retries_due_.begin()->first;
    retries_due_.erase(retries_due_.begin());
    if (!scheduler_.is_scheduled(check.site)) {  // removed by a reload while it waited
      scheduler_.finished(check.site);
      continue;
    }
    start_attempt(check);
    ++started;
  }
  return started;
}

void CheckLoop::start_attempt(const CheckInProgress& check) {
  const SitePlan& plan = *check.plan;
  if (!plan.host_key.empty() &&
      !context_.host_slots.acquire(plan.host_key, plan.config.max_concurrent_per_host, index_)) {
    add(context_.stats.waited_for_host, 1);
    host_waits_[plan.host_key.str()].push_back(check);
    return;
  }
  launch_attempt(check);
}

std::size_t CheckLoop::start_granted_attempts() {
  std::size_t started = 0;
  for (const std::string& host : context_.host_slots.take_granted(index_)) {
    const auto waits = host_waits_.find(host);
    if (waits == host_waits_.end()) {  // its attempt was dropped after the slot was handed over
      context_.host_slots.release(host);
      continue;
    }
    const CheckInProgress check = std::move(waits->second.front());
    waits->second.pop_front();
    if (waits->second.empty()) host_waits_.erase(waits);
    launch_attempt(check);
    ++started;
  }
  return started;
}

void CheckLoop::drop_host_waits(bool all) {
  for (auto waits = host_waits_.begin(); waits != host_waits_.end();) {
    std::deque<CheckInProgress>& checks = waits->second;
    const auto dropped = std::stable_partition(
        checks.begin(), checks.end(),
        [&](const auto& check) { return !all && scheduler_.is_scheduled(check.site); });
    for (auto check = dropped; check != checks.end(); ++check) {
      // false: the slot is already on its way (take_granted), released when it arrives.
      context_.host_slots.withdraw(waits->first, index_);
      scheduler_.finished(check->site);
      if (all) add(context_.stats.cancelled_checks, 1);
    }
    checks.erase(dropped, checks.end());
    waits = checks.empty() ? host_waits_.erase(waits) : std::next(waits);
  }
  if (!all) return;
  for (const std::string& host : context_.host_slots.take_granted(index_)) {
    context_.host_slots.release(host);
  }
}

void CheckLoop::release_host_slot(const SitePlan& plan) {
  if (!plan.host_key.empty()) context_.host_slots.release(plan.host_key);
}

void CheckLoop::launch_attempt(const CheckInProgress& check) {
  const WallTime measured_at = context_.clock.wall_now();
  const std::shared_ptr<const SitePlan> plan = check.plan;
  const SiteId id = check.site;
  const LoopLag::Mark mark = checker_->loop_lag().mark(context_.clock.now());
  try {
    checker_->start(plan, [this, check, measured_at, mark](CheckResult&& result) {
      on_attempt_done(check, measured_at, mark, std::move(result));
    });
  } catch (const std::exception& error) {
    // A curl setup failure (out of memory, bad option) on our side: count it and let the
    // site try again at its next deadline.
    release_host_slot(*plan);
    scheduler_.finished(id);
    context_.stats.checks_failed(CheckError::kInternal).fetch_add(1, std::memory_order_relaxed);
    log_event(spdlog::level::err, fmt::format("cannot start check: {}", error.what()),
              {{"url", plan->display_url()}});
  }
}

// Runs inside checker_->run_once(). measured_at: when this attempt started; the published
// measurement is the last attempt's (its status, timings and start time).
void CheckLoop::on_attempt_done(CheckInProgress check, WallTime measured_at, LoopLag::Mark mark,
                                CheckResult&& result) {
  const SiteId id = check.site;
  const SitePlan& plan = *check.plan;
  release_host_slot(plan);
  Verdict verdict = evaluate(*plan.conditions, result, plan.config.https, measured_at);
  ++check.attempts_made;
  const std::optional<TimePoint> retry_at = retry_start(
      plan.retry,
      AttemptEnd{verdict.healthy, check.attempts_made, context_.clock.now(), check.next_deadline});
  if (retry_at && scheduler_.is_scheduled(id)) {
    if (stopping_) {
      // Ended before its retries: like a cancelled check, it says nothing about the site.
      scheduler_.finished(id);
      add(context_.stats.cancelled_checks, 1);
      return;
    }
    add(context_.stats.retries, 1);
    context_.metrics.record_retry(plan.display_url());
    retries_due_.emplace(*retry_at, std::move(check));
    return;
  }

  scheduler_.finished(id);
  const std::size_t outcome = outcome_of(verdict);
  context_.stats.checks_with(outcome).fetch_add(1, std::memory_order_relaxed);
  if (!scheduler_.is_scheduled(id)) return;  // removed by a reload while it ran
  // The loop's share of this attempt: it started late, or the loop was busy (or waited for a
  // CPU) while the attempt ran, so its events may have been seen late.
  const std::chrono::nanoseconds loop_lag =
      std::max(check.start_lateness, checker_->loop_lag().busy_since(mark, context_.clock.now()));
  context_.metrics.observe_loop_lag(loop_lag);
  context_.metrics.record_check(plan.display_url(), outcome,
                                std::chrono::microseconds(result.response_time_us));
  Measurement measurement = make_measurement(plan, std::move(result), std::move(verdict),
                                             measured_at, context_.producer_id);
  measurement.attempts = check.attempts_made;
  measurement.loop_lag_us = std::chrono::duration_cast<std::chrono::microseconds>(loop_lag).count();
  context_.publisher.publish(plan.config.destination_topic, plan.config.url,
                             encode_message(measurement));
  if (auto change = context_.states.observe(
          plan.config.url, {plan.config.down_after, plan.config.up_after}, measurement)) {
    context_.events.publish(plan.config.events_topic, *change);
  }
}

void CheckLoop::cancel_waiting_retries() {
  for (auto& [start_at, check] : retries_due_) {
    scheduler_.finished(check.site);
    add(context_.stats.cancelled_checks, 1);
  }
  retries_due_.clear();
}

std::chrono::milliseconds CheckLoop::wait_budget() const {
  std::optional<TimePoint> next = scheduler_.next_wakeup();
  if (!retries_due_.empty() && (!next || retries_due_.begin()->first < *next)) {
    next = retries_due_.begin()->first;
  }
  if (!next) return kMaxWait;  // nothing scheduled, or every slot taken: a completion wakes us
  const auto until_next = *next - context_.clock.now();
  if (until_next <= std::chrono::nanoseconds::zero()) return std::chrono::milliseconds::zero();
  return std::min(std::chrono::ceil<std::chrono::milliseconds>(until_next), kMaxWait);
}

void CheckLoop::report_counters() {
  const SchedulerCounters& now = scheduler_.counters();
  ProducerStats& stats = context_.stats;
  add(stats.starts, now.starts - reported_.starts);
  add(stats.skipped_in_flight, now.skipped_in_flight - reported_.skipped_in_flight);
  add(stats.skipped_late, now.skipped_late - reported_.skipped_late);
  add(stats.deferred_by_bound, now.deferred_by_bound - reported_.deferred_by_bound);
  reported_ = now;
  const auto in_flight = static_cast<std::int64_t>(scheduler_.in_flight());
  if (in_flight != reported_in_flight_) {
    stats.in_flight.fetch_add(in_flight - reported_in_flight_, std::memory_order_relaxed);
    reported_in_flight_ = in_flight;
  }
}

}  // namespace hc::producer
