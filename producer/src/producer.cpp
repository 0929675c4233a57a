#include "hc/producer/producer.h"

#include <fmt/format.h>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "check_loop.h"
#include "check_threads.h"
#include "event_metrics.h"
#include "event_publisher.h"
#include "file_site_source.h"
#include "hc/common/clock.h"
#include "hc/common/metrics_server.h"
#include "host_slots.h"
#include "producer_metrics.h"
#include "producer_stats.h"
#include "publisher.h"
#include "site_plan.h"
#include "site_states.h"
#include "state_restore.h"
#include "stats_log.h"
#include "topic_site_source.h"

namespace hc {
namespace producer {
namespace {

// How long the coordinator waits for Kafka events per turn: bounds how late it sees a stop,
// a reload or the time for the periodic log line.
constexpr auto kPollWait = std::chrono::milliseconds(100);
constexpr auto kFlushTimeout = std::chrono::seconds(10);
// Longest the start waits for the sites' states from their events topics.
constexpr auto kRestoreTimeout = std::chrono::seconds(30);

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

// The producer: check_threads CheckLoops, each on its own thread with its share of the
// sites, publishing through one Publisher. This (the calling) thread coordinates: it serves
// Kafka's delivery reports, reloads the sites on SIGHUP, and logs and exports the counts.
class Producer : private SiteListener {
 public:
  Producer(const Config& config, const ProducerOptions& options, const Clock& clock,
           std::unique_ptr<SiteSource> sites)
      : options_(options),
        clock_(clock),
        shutdown_grace_(config.producer->shutdown_grace),
        redact_query_params_(config.producer->redact_query_params),
        kafka_(config.producer->kafka),
        publisher_(config.producer->kafka, config.producer->max_queued_messages, stats_),
        events_(config.producer->kafka, event_stats_),
        states_(options.producer_id),
        stats_log_(stats_),
        sites_(std::move(sites)) {
    publisher_.redact_query_params_in_logs(redact_query_params_);
    events_.redact_query_params_in_logs(redact_query_params_);
    std::vector<SiteConfig> initial_sites = sites_->initial_sites();
    for (const SiteConfig& site : initial_sites) {
      if (!in_shard(site.url, options_.shard)) continue;
      owned_urls_.insert(site.url);
      events_topics_.insert(site.events_topic);
    }
    const std::size_t threads = check_thread_count(*config.producer, usable_cpu_count());
    host_slots_ = std::make_unique<HostSlots>(threads);
    const CheckLoopContext context{
        clock_,          publisher_, stats_,  metrics_,    options_.producer_id,
        shutdown_grace_, states_,    events_, *host_slots_};
    for (std::size_t i = 0; i < threads; ++i) {
      loops_.push_back(std::make_unique<CheckLoop>(
          context, loop_in_flight_bound(config.producer->max_in_flight, threads, i), i));
    }
    assign_sites(std::move(initial_sites));
  }

  int run(StopControl& control) {
    std::optional<MetricsServer> metrics_server;
    if (!options_.metrics_address.empty()) {
      metrics_server.emplace(options_.metrics_address,
                             with_event_metrics(metrics_.collectable(), event_stats_),
                             [this] { return metrics_.kafka_problem(); });
      spdlog::info("serving /metrics and /healthz on {}", options_.metrics_address);
    }
    restore_states(control);
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
        publisher_.poll(kPollWait);
        events_.poll();
        sync_stats();
        stats_log_.maybe_log(clock_.now());
      }
      spdlog::info(
          "stopping: no new checks; {} checks in flight get {} ms to finish, then are cancelled "
          "(not published)",
          stats_.in_flight.load(std::memory_order_relaxed), shutdown_grace_.count());
      while (running.load(std::memory_order_acquire) > 0) {
        publisher_.poll(kPollWait);
        events_.poll();
      }
    }
    // After the checks ended: a revoke while leaving has nothing left to wait for.
    sites_->close(*this);
    // One bound for both: state changes first (a lost transition is worse than a lost
    // sample), measurements in what is left.
    const auto flush_deadline = std::chrono::steady_clock::now() + kFlushTimeout;
    spdlog::info("flushing {} state changes and {} messages to Kafka (at most {} s)",
                 event_stats_.queue_depth(), publisher_.queue_depth(), kFlushTimeout.count());
    events_.flush(kFlushTimeout);
    publisher_.flush(std::max(std::chrono::milliseconds::zero(),
                              std::chrono::ceil<std::chrono::milliseconds>(
                                  flush_deadline - std::chrono::steady_clock::now())));
    sync_stats();
    stats_log_.log_totals(clock_.now());
    for (const std::exception_ptr& failure : failures) {
      if (failure) std::rethrow_exception(failure);
    }
    return 0;
  }

 private:
  // Returns each loop's ticket (CheckLoop::settled).
  std::vector<std::uint64_t> assign_sites(std::vector<SiteConfig> sites) {
    const std::size_t given = sites.size();
    SitePlans plans = build_site_plans(std::move(sites), options_.shard, redact_query_params_);
    const std::size_t count = plans.plans.size();
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
      spdlog::info("checking {} of {} sites (shard {}/{}) on {}", count, given,
                   options_.shard->index, options_.shard->count, threads);
    } else {
      spdlog::info("checking {} sites on {}", count, threads);
    }
    return tickets;
  }

  // Seeds the owned sites' states from the latest event of each on their events topics, so a
  // restart emits no false unknown->up and the next change spans the restart (state_restore.h).
  // Runs before the check loops start; a stop request ends it early.
  void restore_states(const StopControl& control) {
    const std::unordered_set<std::string>& owned = owned_urls_;
    const std::set<std::string>& topics = events_topics_;
    const auto started = std::chrono::steady_clock::now();
    spdlog::info(
        "restoring the states of {} sites from {} events topic(s) (waits at most {} s "
        "for Kafka)",
        owned.size(), topics.size(),
        std::chrono::duration_cast<std::chrono::seconds>(kRestoreTimeout).count());
    RestoreResult restored = producer::restore_states(
        kafka_, {topics.begin(), topics.end()}, owned, kRestoreTimeout,
        [&control] { return control.stop_requested(); }, &stats_.kafka_settings);
    for (const auto& [url, event] : restored.latest) states_.restore(event);
    event_stats_.restored_sites.store(restored.latest.size(), std::memory_order_relaxed);
    event_stats_.restore_skipped_events.store(restored.skipped, std::memory_order_relaxed);
    event_stats_.restore_complete.store(restored.complete, std::memory_order_relaxed);
    const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    if (restored.complete) {
      spdlog::info(
          "restored the state of {} of {} sites from {} events topic(s) ({} partitions, {} "
          "records, {} skipped as invalid) in {} ms",
          restored.latest.size(), owned.size(), topics.size(), restored.partitions,
          restored.records, restored.skipped, took_ms);
    } else {
      spdlog::error(
          "state restore INCOMPLETE after {} ms (events topics unreachable or too slow): "
          "restored {} of {} sites ({} records, {} skipped); the others start unknown and "
          "announce their first state again",
          took_ms, restored.latest.size(), owned.size(), restored.records, restored.skipped);
    }
    owned_urls_ = {};  // needed for the restore (and its log lines) only: its memory goes back now
  }

  // SiteListener: the source's new site list. With wait_for_removed (a revoke), waits until
  // every loop applied it and no check of a removed site still runs, at most shutdown_grace.
  void use_sites(const std::vector<SiteConfig>& sites, bool wait_for_removed) override {
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
        return;
      }
      publisher_.poll(std::chrono::milliseconds(10));
    }
  }

  void sync_stats() {
    stats_.queue_depth.store(static_cast<std::int64_t>(publisher_.queue_depth()),
                             std::memory_order_relaxed);
  }

  ProducerOptions options_;
  const Clock& clock_;
  std::chrono::milliseconds shutdown_grace_;
  // From the config at start, like the other bounds: a reload keeps them.
  std::vector<std::string> redact_query_params_;
  KafkaSettings kafka_;
  // The sites whose state is restored at start (emptied after), and their events topics.
  std::unordered_set<std::string> owned_urls_;
  std::set<std::string> events_topics_;
  ProducerStats stats_;
  ProducerMetrics metrics_{stats_};
  Publisher publisher_;
  EventStats event_stats_;
  EventPublisher events_;
  SiteStates states_;
  StatsLog stats_log_;
  std::unique_ptr<SiteSource> sites_;
  std::unique_ptr<HostSlots> host_slots_;          // shared by loops_
  std::vector<std::unique_ptr<CheckLoop>> loops_;  // after what they refer to
};

// File mode takes the config's sites over: the plans then hold the only copy of each.
std::unique_ptr<SiteSource> site_source_of(Config& config) {
  if (!config.producer->sites_topic.empty()) {
    return std::make_unique<TopicSiteSource>(*config.producer);
  }
  return std::make_unique<FileSiteSource>(config.path, std::move(config.producer->websites));
}

}  // namespace
}  // namespace producer

int run_producer(Config config, StopControl& control, const ProducerOptions& options) {
  if (!config.producer) throw std::invalid_argument("run_producer: config has no producer section");
  SystemClock clock;
  std::unique_ptr<producer::SiteSource> sites = producer::site_source_of(config);
  producer::Producer producer(config, options, clock, std::move(sites));
  return producer.run(control);
}

}  // namespace hc
