#include "producer_metrics.h"

namespace hc::producer {
namespace {

// Lateness is normally well under a millisecond; its buckets start lower than durations'.
const prometheus::Histogram::BucketBoundaries kLatenessBuckets = {
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 30};

double load(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

}  // namespace

ProducerMetrics::ProducerMetrics(const ProducerStats& stats)
    : stats_(stats),
      check_duration_(duration_buckets_seconds()),
      schedule_lateness_(kLatenessBuckets),
      loop_lag_(kLatenessBuckets) {}

void ProducerMetrics::record_check(const std::string& url, std::size_t outcome,
                                   std::chrono::microseconds duration) {
  check_duration_.Observe(std::chrono::duration<double>(duration).count());
  MutexLock lock(sites_mutex_);
  by_site_.add_check(url, outcome);
}

void ProducerMetrics::record_retry(const std::string& url) {
  MutexLock lock(sites_mutex_);
  by_site_.add_retry(url);
}

void ProducerMetrics::observe_lateness(std::chrono::nanoseconds lateness) {
  schedule_lateness_.Observe(std::chrono::duration<double>(lateness).count());
}

void ProducerMetrics::observe_loop_lag(std::chrono::nanoseconds lag) {
  loop_lag_.Observe(std::chrono::duration<double>(lag).count());
}

void ProducerMetrics::reserve_sites(std::size_t sites, std::size_t url_bytes) {
  MutexLock lock(sites_mutex_);
  by_site_.reserve(sites, url_bytes);
}

void ProducerMetrics::forget_sites(const std::vector<std::string>& urls) {
  MutexLock lock(sites_mutex_);
  for (const std::string& url : urls) by_site_.forget(url);
}

std::shared_ptr<prometheus::Collectable> ProducerMetrics::collectable() {
  return std::make_shared<ScrapeCollectable>([this](MetricFamilyWriter& out) { collect(out); });
}

std::optional<std::string> ProducerMetrics::kafka_problem() const {
  if (auto settings = stats_.kafka_settings.text()) return settings;
  if (stats_.kafka_reachable.load(std::memory_order_relaxed)) return std::nullopt;
  return "kafka: all brokers down (messages queue up to the bound, then are dropped)";
}

void ProducerMetrics::collect(MetricFamilyWriter& out) const {
  {
    MutexLock lock(sites_mutex_);
    // Two passes, so each family's samples come together: every site's checks, then retries.
    by_site_.for_each([&](std::string_view url, const SiteCounters::OutcomeCounts& counts,
                          std::uint64_t /*retries*/) {
      for (std::size_t outcome = 0; outcome < counts.size(); ++outcome) {
        if (counts[outcome] == 0) continue;
        out.counter("hc_checks_total",
                    "Completed checks by site and outcome (up, error class, or unhealthy)",
                    static_cast<double>(counts[outcome]),
                    {{"url", std::string(url)}, {"outcome", std::string(outcome_name(outcome))}});
      }
    });
    by_site_.for_each([&](std::string_view url, const SiteCounters::OutcomeCounts& /*counts*/,
                          std::uint64_t retries) {
      if (retries == 0) return;
      out.counter("hc_check_retries_total",
                  "Failed attempts tried again within the interval (retries), by site",
                  static_cast<double>(retries), {{"url", std::string(url)}});
    });
  }
  out.histogram("hc_check_duration_seconds", "Duration of completed checks", check_duration_);
  out.histogram("hc_schedule_lateness_seconds", "How late checks started against their deadline",
                schedule_lateness_);
  out.histogram("hc_check_loop_lag_seconds",
                "How late the check loop may have been for a published check (loop_lag_us)",
                loop_lag_);
  const std::string skipped_help = "Scheduled runs not started, by reason";
  out.counter("hc_skipped_checks_total", skipped_help, load(stats_.skipped_in_flight),
              {{"reason", "still_in_flight"}});
  out.counter("hc_skipped_checks_total", skipped_help, load(stats_.skipped_late),
              {{"reason", "late"}});
  out.counter("hc_deferred_checks_total", "Starts delayed by the max_in_flight bound",
              load(stats_.deferred_by_bound));
  out.counter("hc_host_slot_waits_total",
              "Checks that waited for a slot of their host (max_concurrent_per_host)",
              load(stats_.waited_for_host));
  out.counter("hc_cancelled_checks_total",
              "Checks still in flight at a stop after shutdown_grace_ms: cancelled, not published",
              load(stats_.cancelled_checks));
  out.gauge("hc_in_flight_checks", "Checks running now",
            static_cast<double>(stats_.in_flight.load(std::memory_order_relaxed)));
  out.gauge("hc_sites", "Sites this producer checks",
            static_cast<double>(stats_.sites.load(std::memory_order_relaxed)));
  out.counter("hc_published_messages_total", "Messages handed to the Kafka client",
              load(stats_.published));
  out.counter("hc_delivered_messages_total", "Messages acknowledged by Kafka",
              load(stats_.delivered));
  const std::string errors_help = "Messages that failed to publish, by stage";
  out.counter("hc_publish_errors_total", errors_help, load(stats_.publish_errors),
              {{"stage", "produce"}});
  out.counter("hc_publish_errors_total", errors_help, load(stats_.delivery_failures),
              {{"stage", "delivery"}});
  out.counter("hc_dropped_messages_total", "Measurements dropped: Kafka client queue full",
              load(stats_.dropped_queue_full));
  out.gauge("hc_queue_depth_messages", "Messages waiting for delivery to Kafka",
            static_cast<double>(stats_.queue_depth.load(std::memory_order_relaxed)));
  out.counter("hc_kafka_producer_recreations_total",
              "Kafka producers recreated after a fatal error", load(stats_.producer_recreations));
  out.gauge("hc_kafka_up", "1 while Kafka is reachable, 0 when all brokers are down",
            stats_.kafka_reachable.load(std::memory_order_relaxed) ? 1 : 0);
}

}  // namespace hc::producer
