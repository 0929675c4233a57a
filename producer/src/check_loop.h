// One event loop of the producer: a Scheduler and a CheckRunner for a share of the sites,
// on one thread. Each completed check becomes a message v1 published through the Publisher
// that all loops share; counts go to the shared ProducerStats and ProducerMetrics.
//
// A failed attempt is retried within the site's interval as retry_policy.h decides; the site
// stays in flight (holding its max_in_flight slot) until its last attempt, and only that
// attempt is published, with `attempts` counting them all.
//
// A producer runs `check_threads` loops. Each site belongs to exactly one loop (by URL
// hash, split_site_plans), for the life of the process: its checks never overlap and its
// messages keep their order.
//
// Each attempt first takes a slot of its host (host_slots.h, shared by the loops). An attempt
// that has to wait keeps its site in flight, is counted (ProducerStats::waited_for_host) and
// starts when a slot is handed to it: its start time and timings begin then, not when it was
// due.
//
// A turn starts at most kStartsPerTurn attempts more than the previous turn completed, then
// serves the checker (its completions are published in it), so the busy spans that delay the
// checks in flight stay short however many checks fall due at once; the attempts left due
// start in the next turns, late by that much.
//
// Once a period (memory_release.h), at the end of a turn, the loop frees the checker's idle
// handles beyond what the period's checks needed at once.
//
// Threads: run() (or turn(), in tests) on the loop's own thread; assign_sites() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "checker.h"
#include "hc/common/clock.h"
#include "hc/common/mutex.h"
#include "hc/common/signals.h"
#include "host_slots.h"
#include "memory_release.h"
#include "producer_metrics.h"
#include "producer_stats.h"
#include "scheduler.h"
#include "sinks.h"
#include "site_plan.h"
#include "site_states.h"

namespace hc::producer {

// What the loops of one producer share. Everything referred to must outlive the loops.
struct CheckLoopContext {
  const Clock& clock;
  MeasurementSink& publisher;
  ProducerStats& stats;
  ProducerMetrics& metrics;
  std::string producer_id;                         // written into every message
  std::chrono::milliseconds shutdown_grace{5000};  // see ProducerConfig::shutdown_grace
  // Each published measurement also goes through the site's state; a change is published.
  SiteStates& states;
  EventSink& events;
  HostSlots& host_slots;  // numbered for the loops: loop i is HostSlots loop i
};

class CheckLoop {
 public:
  // Attempts a turn starts at most beyond those the previous turn completed: retries due
  // first, then due checks; attempts handed a host slot always start (each holds its slot) and
  // count against it. Starting a check costs its connect (made in the checker's next wait), and
  // the checks in flight see their events only once the loop waits again: a turn that started
  // every due check at once would make them all wait through every start. The rest start in
  // the next turns, after the checker served what was ready, and their lateness counts that.
  // The previous turn's completions are added so that the bound limits bursts, never the
  // steady flow: a loop whose turns are long (many completions, no CPU) still starts as many
  // checks as it completes, and 32 more a turn while it catches up.
  static constexpr std::size_t kStartsPerTurn = 32;

  // At most max_in_flight (> 0) checks of this loop run at once, through `checker`. `index`:
  // this loop's number in context.host_slots.
  CheckLoop(const CheckLoopContext& context, std::size_t max_in_flight,
            std::unique_ptr<Checker> checker, std::size_t index);
  ~CheckLoop();
  CheckLoop(const CheckLoop&) = delete;
  CheckLoop& operator=(const CheckLoop&) = delete;

  // Replaces this loop's sites, from the loop's next turn on. A site already scheduled
  // keeps its schedule (Scheduler::replace_sites); the result of a removed site's check
  // still in flight is counted but not published, and its waiting retries are dropped.
  // Returns a ticket for settled().
  std::uint64_t assign_sites(SitePlans sites);

  // True once the loop applied the sites of assign_sites() call `ticket` (or a later one) and
  // no check of a site removed by them is in flight any more; also once run() returned.
  // Thread: any.
  bool settled(std::uint64_t ticket) const;

  // Until control.stop_requested(): starts due checks, drives the transfers and publishes
  // the results. Then starts nothing more, gives the checks in flight shutdown_grace to
  // finish (and be published), cancels the rest (counted, not published: a cancelled check
  // says nothing about its site) and returns. A check waiting for a retry, or whose attempt
  // fails during the grace period while retries remain, is cancelled the same way: its site
  // is reported down only after its retries failed.
  void run(StopControl& control);

  // One turn of run() before the stop: applies a new site list, starts the due retries and
  // checks, waits up to max_wait in the checker and handles what completed. For tests that
  // drive the loop turn by turn (on the test's thread, instead of run()).
  void turn(std::chrono::milliseconds max_wait);

 private:
  void apply_assigned_sites();
  // One check of a site, across its attempts.
  struct CheckInProgress {
    SiteId site = 0;
    std::shared_ptr<const SitePlan> plan;
    TimePoint next_deadline;  // the site's next scheduled run: retries end before it
    int attempts_made = 0;    // attempts finished so far
    // How late the loop started the current attempt after it was due (a wait for a host
    // slot is not lateness: the attempt's timings begin when it gets its slot).
    std::chrono::nanoseconds start_lateness{};
  };

  // Start at most `limit` due checks (retries; returns how many). The rest stay due, and
  // their lateness counts until a later turn starts them.
  void start_due_checks(std::size_t limit);
  std::size_t start_due_retries(std::size_t limit);
  // Starts the attempt once it holds a slot of its host; until then it waits in host_waits_.
  void start_attempt(const CheckInProgress& check);
  // Starts the attempts whose hosts handed them a slot (all of them: each holds a slot);
  // returns how many.
  std::size_t start_granted_attempts();
  // Starts the attempt now. REQUIRES: it holds its host's slot (or its site has no host).
  void launch_attempt(const CheckInProgress& check);
  void release_host_slot(const SitePlan& plan);
  // mark: the checker's loop lag mark when the attempt started.
  void on_attempt_done(CheckInProgress check, WallTime measured_at, LoopLag::Mark mark,
                       CheckResult&& result);
  void cancel_waiting_retries();
  // Drops the attempts waiting for a host slot whose sites were removed, or all of them.
  void drop_host_waits(bool all);
  std::chrono::milliseconds wait_budget() const;
  // Adds what the scheduler counted since the last call to the shared stats.
  void report_counters();

  CheckLoopContext context_;
  Scheduler scheduler_;
  std::unique_ptr<Checker> checker_;
  // The plans of the scheduler's sites, in its list's order (Start::index).
  std::vector<std::shared_ptr<const SitePlan>> plans_;
  SchedulerCounters reported_;
  std::int64_t reported_in_flight_ = 0;
  std::multimap<TimePoint, CheckInProgress> retries_due_;  // failed attempts, by retry start
  std::size_t index_;                                      // in context_.host_slots
  // Attempts waiting for a slot of their host, by host, oldest first.
  std::unordered_map<std::string, std::deque<CheckInProgress>> host_waits_;
  bool stopping_ = false;                 // run() is in its grace period
  std::size_t completed_last_turn_ = 0;   // by the checker, in the previous turn
  MemoryReleaseSchedule memory_release_;  // of the checker's idle handles

  Mutex assigned_mutex_;
  std::optional<SitePlans> assigned_ GUARDED_BY(assigned_mutex_);  // set by assign_sites(),
                                                                   // taken by the loop
  std::uint64_t assigned_ticket_ GUARDED_BY(assigned_mutex_) = 0;  // of assigned_
  // What settled() reads: the ticket applied last, whether removed sites' checks still run,
  // whether run() has returned.
  std::atomic<std::uint64_t> applied_ticket_{0};
  std::atomic<bool> removed_in_flight_{false};
  std::atomic<bool> finished_{false};
};

}  // namespace hc::producer
