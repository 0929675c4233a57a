#include "hc/producer/producer.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "check_measurement.h"
#include "hc/common/clock.h"
#include "hc/common/logging.h"
#include "hc/common/metrics_server.h"
#include "http_checker.h"
#include "producer_metrics.h"
#include "producer_stats.h"
#include "publisher.h"
#include "scheduler.h"
#include "site_plan.h"
#include "stats_log.h"

namespace hc {
namespace producer {
namespace {

// Longest the loop blocks in curl: bounds how stale the Kafka poll and the log line get.
constexpr auto kMaxWait = std::chrono::milliseconds(100);
constexpr auto kFlushTimeout = std::chrono::seconds(10);

// StopControl keeps its wakers for its whole life, which is longer than the checker's: the
// waker reaches the checker through this guard, which is cleared before the checker dies.
class CheckerWakeGuard {
 public:
  CheckerWakeGuard(StopControl& control, HttpChecker& checker)
      : target_(std::make_shared<Target>()) {
    target_->checker = &checker;
    control.add_waker([target = target_] {
      std::lock_guard lock(target->mutex);
      if (target->checker != nullptr) target->checker->wakeup();
    });
  }
  ~CheckerWakeGuard() {
    std::lock_guard lock(target_->mutex);
    target_->checker = nullptr;
  }
  CheckerWakeGuard(const CheckerWakeGuard&) = delete;
  CheckerWakeGuard& operator=(const CheckerWakeGuard&) = delete;

 private:
  struct Target {
    std::mutex mutex;
    HttpChecker* checker = nullptr;
  };
  std::shared_ptr<Target> target_;
};

// The producer's single thread: scheduler -> checker -> publisher, all on this thread.
class ProducerLoop {
 public:
  ProducerLoop(const Config& config, const ProducerOptions& options, const Clock& clock)
      : config_path_(config.path),
        options_(options),
        clock_(clock),
        scheduler_(clock, config.producer->max_in_flight),
        publisher_(config.producer->kafka, config.producer->max_queued_messages, stats_),
        stats_log_(stats_) {
    apply_sites(config.producer->websites);
  }

  int run(StopControl& control) {
    CheckerWakeGuard wake_guard(control, checker_);
    std::optional<MetricsServer> metrics_server;
    if (!options_.metrics_address.empty()) {
      metrics_server.emplace(options_.metrics_address, metrics_.collectable(),
                             [this] { return metrics_.kafka_problem(); });
      spdlog::info("serving /metrics and /healthz on {}", options_.metrics_address);
    }
    while (!control.stop_requested()) {
      if (control.take_reload_request()) reload();
      start_due_checks();
      checker_.run_once(wait_budget());
      publisher_.poll();
      sync_stats();
      stats_log_.maybe_log(clock_.now());
    }
    spdlog::info(
        "stopping: no new checks; waiting for {} checks in flight (each within its timeout)",
        checker_.in_flight());
    while (checker_.in_flight() > 0) {
      checker_.run_once(kMaxWait);
      publisher_.poll();
    }
    spdlog::info("flushing {} messages to Kafka (at most {} s)", publisher_.queue_depth(),
                 kFlushTimeout.count());
    publisher_.flush(kFlushTimeout);
    sync_stats();
    stats_log_.log_totals(clock_.now());
    return 0;
  }

 private:
  void apply_sites(const std::vector<SiteConfig>& sites) {
    SitePlans built = build_site_plans(sites, options_.shard);
    const std::vector<SiteId> ids = scheduler_.replace_sites(built.schedule);
    plans_.clear();
    for (std::size_t i = 0; i < ids.size(); ++i) plans_[ids[i]] = std::move(built.plans[i]);
    stats_.sites.store(static_cast<std::int64_t>(plans_.size()));
    std::vector<std::string> urls;
    urls.reserve(plans_.size());
    for (const auto& [id, plan] : plans_) urls.push_back(plan->config.url);
    metrics_.retain_sites(urls);
    // Parsing a large config (yaml-cpp's node tree) leaves megabytes of freed heap behind;
    // hand them back to the OS so a long-running producer's RSS reflects what it uses.
    malloc_trim(0);
    if (options_.shard) {
      spdlog::info("checking {} of {} sites (shard {}/{})", plans_.size(), sites.size(),
                   options_.shard->index, options_.shard->count);
    } else {
      spdlog::info("checking {} sites", plans_.size());
    }
  }

  // SIGHUP: only the site list is reloaded; Kafka settings and bounds need a restart.
  void reload() {
    spdlog::info("SIGHUP: reloading sites from {}", config_path_.string());
    ConfigLoadResult loaded = load_config(config_path_, process_environment());
    if (!loaded.ok() || !loaded.config->producer) {
      for (const ConfigError& error : loaded.errors) spdlog::error("{}", error.to_string());
      if (loaded.ok())
        spdlog::error("{}: no healthcheck-producer-config section", config_path_.string());
      spdlog::error("reload failed; still checking the previous {} sites", plans_.size());
      return;
    }
    apply_sites(loaded.config->producer->websites);
  }

  void start_due_checks() {
    while (auto start = scheduler_.next_start()) {
      stats_.lateness.record(start->lateness);
      metrics_.observe_lateness(start->lateness);
      std::shared_ptr<const SitePlan> plan = plans_.at(start->site);
      const WallTime measured_at = clock_.wall_now();
      const SiteId id = start->site;
      try {
        checker_.start(plan->request, [this, id, plan, measured_at](CheckResult&& result) {
          on_check_done(id, *plan, measured_at, std::move(result));
        });
      } catch (const std::exception& error) {
        // A curl setup failure (out of memory, bad option) on our side: count it and let
        // the site try again at its next deadline.
        scheduler_.finished(id);
        stats_.checks_failed(CheckError::kInternal).fetch_add(1, std::memory_order_relaxed);
        log_event(spdlog::level::err, fmt::format("cannot start check: {}", error.what()),
                  {{"url", plan->config.url}});
      }
    }
  }

  // Runs inside checker_.run_once().
  void on_check_done(SiteId id, const SitePlan& plan, WallTime measured_at, CheckResult&& result) {
    scheduler_.finished(id);
    metrics_.record_check(plan.config.url, result.error,
                          std::chrono::microseconds(result.response_time_us));
    if (result.error) {
      stats_.checks_failed(*result.error).fetch_add(1, std::memory_order_relaxed);
    } else {
      stats_.checks_up().fetch_add(1, std::memory_order_relaxed);
    }
    if (!scheduler_.is_scheduled(id)) return;  // removed by a reload while it ran
    const Measurement measurement =
        make_measurement(plan, std::move(result), measured_at, options_.producer_id);
    publisher_.publish(plan.config.destination_topic, plan.config.url, encode_message(measurement));
  }

  std::chrono::milliseconds wait_budget() const {
    const std::optional<TimePoint> next = scheduler_.next_wakeup();
    if (!next) return kMaxWait;  // nothing scheduled, or every slot taken: a completion wakes us
    const auto until_next = *next - clock_.now();
    if (until_next <= std::chrono::nanoseconds::zero()) return std::chrono::milliseconds::zero();
    return std::min(std::chrono::ceil<std::chrono::milliseconds>(until_next), kMaxWait);
  }

  void sync_stats() {
    const SchedulerCounters& counters = scheduler_.counters();
    stats_.starts.store(counters.starts, std::memory_order_relaxed);
    stats_.skipped_in_flight.store(counters.skipped_in_flight, std::memory_order_relaxed);
    stats_.skipped_late.store(counters.skipped_late, std::memory_order_relaxed);
    stats_.deferred_by_bound.store(counters.deferred_by_bound, std::memory_order_relaxed);
    stats_.in_flight.store(static_cast<std::int64_t>(scheduler_.in_flight()),
                           std::memory_order_relaxed);
    stats_.queue_depth.store(static_cast<std::int64_t>(publisher_.queue_depth()),
                             std::memory_order_relaxed);
  }

  std::filesystem::path config_path_;
  ProducerOptions options_;
  const Clock& clock_;
  ProducerStats stats_;
  ProducerMetrics metrics_{stats_};
  Scheduler scheduler_;
  HttpChecker checker_;
  Publisher publisher_;
  StatsLog stats_log_;
  std::unordered_map<SiteId, std::shared_ptr<const SitePlan>> plans_;
};

}  // namespace
}  // namespace producer

int run_producer(const Config& config, StopControl& control, const ProducerOptions& options) {
  if (!config.producer) throw std::invalid_argument("run_producer: config has no producer section");
  SystemClock clock;
  producer::ProducerLoop loop(config, options, clock);
  return loop.run(control);
}

}  // namespace hc
