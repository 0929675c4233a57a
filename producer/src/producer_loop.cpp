#include "producer_loop.h"

#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "check_threads.h"
#include "event_metrics.h"
#include "hc/common/metrics_server.h"
#include "site_plan.h"

namespace hc::producer {
namespace {

// How long the coordinator waits for Kafka events per turn: bounds how late it sees a stop,
// a reload or the time for the periodic log line.
constexpr auto kPollWait = std::chrono::milliseconds(100);
constexpr auto kFlushTimeout = std::chrono::seconds(10);
// Longest the start waits for the sites' states from their events topics.
constexpr auto kRestoreTimeout = std::chrono::seconds(30);
// Longest the coordinator waits for the states of sites handed over while it runs (it serves
// nothing else meanwhile: delivery reports and rebalances wait).
constexpr auto kMoveRestoreTimeout = std::chrono::seconds(10);
// Longest a revoke waits for the state changes published so far to be delivered.
constexpr auto kRevokeFlushTimeout = std::chrono::seconds(5);

// Requests a stop when it goes out of scope: declared after the loop threads, it makes them
// return before they are joined, whichever way the coordinator leaves.
class StopOnExit {
 public:
  explicit StopOnExit(StopControl& control) : control_(control) {}
  ~StopOnExit() { control_.request_stop(); }
  StopOnExit(const StopOnExit&) = delete;
  StopOnExit& operator=(const StopOnExit&) = delete;

 private:
  StopControl& control_;
};

}  // namespace

ProducerLoop::ProducerLoop(const ProducerConfig& config, const ProducerOptions& options,
                           ProducerParts parts)
    : options_(options),
      clock_(std::move(parts.clock)),
      shutdown_grace_(config.shutdown_grace),
      redact_query_params_(config.redact_query_params),
      publisher_(parts.make_measurements(stats_)),
      events_(parts.make_events(event_stats_)),
      restorer_(std::move(parts.restore_states)),
      states_(options.producer_id),
      stats_log_(stats_),
      heap_trim_(clock_->now() + MemoryReleaseSchedule::kPeriod / 2),
      sites_(std::move(parts.sites)) {
  std::vector<SiteConfig> initial_sites = sites_->initial_sites();
  const std::size_t threads = check_thread_count(config, usable_cpu_count());
  host_slots_ = std::make_unique<HostSlots>(threads);
  const CheckLoopContext context{
      *clock_,         *publisher_, stats_,   metrics_,    options_.producer_id,
      shutdown_grace_, states_,     *events_, *host_slots_};
  for (std::size_t i = 0; i < threads; ++i) {
    loops_.push_back(std::make_unique<CheckLoop>(
        context, loop_in_flight_bound(config.max_in_flight, threads, i), parts.make_checker(), i));
  }
  if (sites_->sites_move()) {
    for (const SiteConfig& site : initial_sites) checked_urls_.insert(site.url);
  }
  assign_sites(std::move(initial_sites), /*initial=*/true);
}

ProducerLoop::~ProducerLoop() = default;

void ProducerLoop::start(StopControl& control) {
  restore_states_at_start(control);
  control_ = &control;
  stepping_ = true;
}

void ProducerLoop::step() {
  if (control_->take_reload_request()) sites_->reload(*this);
  sites_->poll(*this, std::chrono::milliseconds::zero());
  publisher_->poll(std::chrono::milliseconds::zero());
  events_->poll(std::chrono::milliseconds::zero());
  for (const std::unique_ptr<CheckLoop>& loop : loops_)
    loop->turn(std::chrono::milliseconds::zero());
  sync_stats();
}

int ProducerLoop::run(StopControl& control) {
  std::optional<MetricsServer> metrics_server;
  if (!options_.metrics_address.empty()) {
    metrics_server.emplace(options_.metrics_address,
                           with_event_metrics(metrics_.collectable(), event_stats_),
                           [this] { return metrics_.kafka_problem(); });
    spdlog::info("serving /metrics and /healthz on {}", options_.metrics_address);
  }
  restore_states_at_start(control);
  control_ = &control;
  std::vector<std::exception_ptr> failures(loops_.size());
  {
    std::atomic<std::size_t> running{loops_.size()};
    std::vector<std::jthread> threads;
    const StopOnExit stop_on_exit(control);
    for (std::size_t i = 0; i < loops_.size(); ++i) {
      threads.emplace_back([this, i, &control, &failures, &running] {
        const std::string name = fmt::format("hc-check-{}", i);
        pthread_setname_np(pthread_self(), name.c_str());
        try {
          loops_[i]->run(control);
        } catch (...) {
          failures[i] = std::current_exception();
          control.request_stop();
        }
        running.fetch_sub(1, std::memory_order_release);
      });
    }
    while (!control.stop_requested()) {
      if (control.take_reload_request()) sites_->reload(*this);
      sites_->poll(*this, std::chrono::milliseconds::zero());
      publisher_->poll(kPollWait);
      events_->poll(std::chrono::milliseconds::zero());
      sync_stats();
      stats_log_.maybe_log(clock_->now());
      if (heap_trim_.take_due(clock_->now())) malloc_trim(0);
    }
    spdlog::info(
        "stopping: no new checks; {} checks in flight get {} ms to finish, then are cancelled "
        "(not published)",
        stats_.in_flight.load(std::memory_order_relaxed), shutdown_grace_.count());
    while (running.load(std::memory_order_acquire) > 0) {
      publisher_->poll(kPollWait);
      events_->poll(std::chrono::milliseconds::zero());
    }
  }
  // After the checks ended: a revoke while leaving has nothing left to wait for.
  sites_->close(*this);
  // One bound for both: state changes first (a lost transition is worse than a lost
  // sample), measurements in what is left.
  const auto flush_deadline = std::chrono::steady_clock::now() + kFlushTimeout;
  spdlog::info("flushing {} state changes and {} messages to Kafka (at most {} s)",
               event_stats_.queue_depth(), publisher_->queue_depth(), kFlushTimeout.count());
  events_->flush(kFlushTimeout);
  publisher_->flush(std::max(std::chrono::milliseconds::zero(),
                             std::chrono::ceil<std::chrono::milliseconds>(
                                 flush_deadline - std::chrono::steady_clock::now())));
  sync_stats();
  stats_log_.log_totals(clock_->now());
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return 0;
}

std::vector<std::uint64_t> ProducerLoop::assign_sites(std::vector<SiteConfig> sites, bool initial) {
  const std::size_t given = sites.size();
  SitePlans plans = build_site_plans(std::move(sites), options_.shard, redact_query_params_);
  const std::size_t count = plans.plans.size();
  if (initial) {
    // Taken from the plans once the list is gone: the list and the URLs' set are never both
    // held, and the set holds no copy of a URL.
    std::vector<std::string_view> urls;
    urls.reserve(count);
    for (const std::shared_ptr<const SitePlan>& plan : plans.plans) {
      urls.emplace_back(plan->config.url);
      events_topics_.insert(plan->config.events_topic.str());
    }
    owned_urls_ = UrlSet(std::move(urls));
  }
  // The per-site tables are sized once for the sites checked (they fill as the first checks
  // complete): no copy made while growing is left behind in the heap.
  std::size_t url_bytes = 0;
  for (const std::shared_ptr<const SitePlan>& plan : plans.plans) {
    url_bytes += plan->display_url().size();
  }
  metrics_.reserve_sites(count, url_bytes);
  states_.reserve(count);
  std::vector<SitePlans> shares = split_site_plans(std::move(plans), loops_.size());
  std::vector<std::uint64_t> tickets;
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    tickets.push_back(loops_[i]->assign_sites(std::move(shares[i])));
  }
  stats_.sites.store(static_cast<std::int64_t>(count));
  // Parsing a large config and replacing plans leave megabytes of freed heap behind; hand
  // them back to the OS so a long-running producer's RSS reflects what it uses.
  malloc_trim(0);
  const std::string threads =
      fmt::format("{} check thread{}", loops_.size(), loops_.size() == 1 ? "" : "s");
  if (options_.shard) {
    spdlog::info("checking {} of {} sites (shard {}/{}) on {}", count, given, options_.shard->index,
                 options_.shard->count, threads);
  } else {
    spdlog::info("checking {} sites on {}", count, threads);
  }
  return tickets;
}

// Seeds the owned sites' states from the latest event of each on their events topics, so a
// restart emits no false unknown->up and the next change spans the restart (state_restore.h).
// Runs before the check loops start; a stop request ends it early.
void ProducerLoop::restore_states_at_start(const StopControl& control) {
  if (owned_urls_.empty()) {  // fleet mode: the sites come later, restored as they come
    event_stats_.restore_complete.store(true, std::memory_order_relaxed);
    return;
  }
  restore_states_of(owned_urls_, events_topics_, kRestoreTimeout, control, "",
                    /*forget_missing=*/false);
  owned_urls_ = {};  // needed for the restore (and its log lines) only: its memory goes back now
  events_topics_ = {};
  malloc_trim(0);
}

// With `forget_missing` (sites handed over in fleet mode), a URL without an event loses what
// this producer kept of it: another producer may have owned it since.
void ProducerLoop::restore_states_of(const UrlSet& urls, const std::set<std::string>& topics,
                                     std::chrono::milliseconds timeout, const StopControl& control,
                                     std::string_view what, bool forget_missing) {
  const auto started = std::chrono::steady_clock::now();
  spdlog::info(
      "restoring the states of {} {}sites from {} events topic(s) (waits at most {} s for "
      "Kafka)",
      urls.size(), what, topics.size(),
      std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
  RestoreResult restored = restorer_(
      {topics.begin(), topics.end()}, urls, timeout,
      [&control] { return control.stop_requested(); }, &stats_.kafka_settings);
  for (std::size_t position = 0; position < urls.size(); ++position) {
    const RestoredState* state = position < restored.latest.size() && restored.latest[position]
                                     ? &*restored.latest[position]
                                     : nullptr;
    if (state != nullptr) {
      states_.restore(urls[position], state->status, state->since);
    } else if (forget_missing && restored.complete) {
      states_.forget(urls[position]);
    }
  }
  const std::size_t restored_sites = restored.restored();
  event_stats_.restored_sites.fetch_add(restored_sites, std::memory_order_relaxed);
  event_stats_.restore_skipped_events.fetch_add(restored.skipped, std::memory_order_relaxed);
  event_stats_.restore_complete.store(restored.complete, std::memory_order_relaxed);
  const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  if (restored.complete) {
    spdlog::info(
        "restored the state of {} of {} {}sites from {} events topic(s) ({} partitions, {} "
        "records, {} skipped as invalid) in {} ms",
        restored_sites, urls.size(), what, topics.size(), restored.partitions, restored.records,
        restored.skipped, took_ms);
  } else {
    spdlog::error(
        "state restore INCOMPLETE after {} ms (events topics unreachable or too slow): "
        "restored {} of {} {}sites ({} records, {} skipped); the others start unknown and "
        "announce their first state again",
        took_ms, restored_sites, urls.size(), what, restored.records, restored.skipped);
  }
}

// Fleet mode: the sites of `sites` this producer did not check until now came from another
// producer (or back to this one): their states are restored before the loops see them, so
// their first check here neither repeats the last change nor misses one.
void ProducerLoop::restore_moved_in(const std::vector<SiteConfig>& sites) {
  std::vector<std::string_view> added_urls;  // views the URLs of `sites`
  std::set<std::string> topics;
  std::unordered_set<std::string> now;
  for (const SiteConfig& site : sites) {
    now.insert(site.url);
    if (checked_urls_.contains(site.url)) continue;
    added_urls.emplace_back(site.url);
    topics.insert(site.events_topic.str());
  }
  checked_urls_ = std::move(now);
  if (added_urls.empty() || control_ == nullptr) return;
  const UrlSet added(std::move(added_urls));
  // A site removed and put back while this producer kept it: its own latest change must be on
  // the topic before the topic is read.
  events_->flush(kRevokeFlushTimeout);
  restore_states_of(added, topics, kMoveRestoreTimeout, *control_, "newly assigned ",
                    /*forget_missing=*/true);
}

void ProducerLoop::use_sites(const std::vector<SiteConfig>& sites, bool wait_for_removed) {
  if (sites_->sites_move()) restore_moved_in(sites);
  const std::vector<std::uint64_t> tickets = assign_sites(std::vector<SiteConfig>(sites));
  if (!wait_for_removed) return;
  const auto give_up_at = std::chrono::steady_clock::now() + shutdown_grace_;
  auto all_settled = [&] {
    for (std::size_t i = 0; i < loops_.size(); ++i) {
      if (!loops_[i]->settled(tickets[i])) return false;
    }
    return true;
  };
  while (!all_settled()) {
    if (std::chrono::steady_clock::now() >= give_up_at) {
      spdlog::warn(
          "removed sites still have checks in flight after {} ms; their results will not be "
          "published",
          shutdown_grace_.count());
      break;
    }
    serve_while_waiting();
  }
  if (const std::size_t left = events_->flush(kRevokeFlushTimeout); left > 0) {
    spdlog::warn("{} state changes not delivered before handing sites over", left);
  }
}

void ProducerLoop::serve_while_waiting() {
  if (!stepping_) {
    publisher_->poll(std::chrono::milliseconds(10));
    return;
  }
  publisher_->poll(std::chrono::milliseconds::zero());
  for (const std::unique_ptr<CheckLoop>& loop : loops_) loop->turn(std::chrono::milliseconds(1));
}

void ProducerLoop::sync_stats() {
  stats_.queue_depth.store(static_cast<std::int64_t>(publisher_->queue_depth()),
                           std::memory_order_relaxed);
}

}  // namespace hc::producer
