#include "stats_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>

namespace hc::producer {
namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

// "timeout 10 connect 2 unhealthy 1", only the outcomes that occurred.
std::string failures_by_class(const ProducerStats& stats) {
  std::string text;
  for (std::size_t outcome = 1; outcome < kOutcomeCount; ++outcome) {
    const std::uint64_t count = load(stats.checks[outcome]);
    if (count == 0) continue;
    if (!text.empty()) text += ' ';
    text += fmt::format("{} {}", outcome_name(outcome), count);
  }
  return text.empty() ? "none" : text;
}

std::string totals(const ProducerStats& stats) {
  return fmt::format(
      "errors {} ({}), skipped {} (in flight {}, late {}), deferred by bound {}, "
      "waited for host {}, cancelled {}, retries {}, published {}, "
      "dropped {}, publish errors {}, delivered {}, delivery failures {}, producer recreations {}",
      stats.checks_failed_total(), failures_by_class(stats),
      load(stats.skipped_in_flight) + load(stats.skipped_late), load(stats.skipped_in_flight),
      load(stats.skipped_late), load(stats.deferred_by_bound), load(stats.waited_for_host),
      load(stats.cancelled_checks), load(stats.retries), load(stats.published),
      load(stats.dropped_queue_full), load(stats.publish_errors), load(stats.delivered),
      load(stats.delivery_failures), load(stats.producer_recreations));
}

}  // namespace

StatsLog::StatsLog(const ProducerStats& stats, std::chrono::seconds every)
    : stats_(stats),
      every_(every),
      started_(std::chrono::steady_clock::now()),
      last_logged_(started_) {}

void StatsLog::maybe_log(std::chrono::steady_clock::time_point now) {
  if (now - last_logged_ < every_) return;
  const double seconds = std::chrono::duration<double>(now - last_logged_).count();
  const std::uint64_t checks = stats_.checks_total();
  const LatenessHistogram::Snapshot lateness = stats_.lateness.snapshot();
  const LatenessHistogram::Snapshot window = lateness.since(last_lateness_);
  spdlog::info(
      "checks {:.0f}/s, late p50 {:.2f} ms p99 {:.2f} ms, sites {}, in flight {}, queue {}; "
      "totals: checks {}, {}",
      static_cast<double>(checks - last_checks_) / seconds, window.quantile_ms(0.5),
      window.quantile_ms(0.99), stats_.sites.load(), stats_.in_flight.load(),
      stats_.queue_depth.load(), checks, totals(stats_));
  last_logged_ = now;
  last_checks_ = checks;
  last_lateness_ = lateness;
}

void StatsLog::log_totals(std::chrono::steady_clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const LatenessHistogram::Snapshot lateness = stats_.lateness.snapshot();
  spdlog::info(
      "producer totals over {:.1f} s: checks {} ({:.0f}/s), late p50 {:.2f} ms p99 {:.2f} ms, "
      "{}, undelivered at shutdown {}",
      seconds, stats_.checks_total(), static_cast<double>(stats_.checks_total()) / seconds,
      lateness.quantile_ms(0.5), lateness.quantile_ms(0.99), totals(stats_),
      load(stats_.undelivered_at_shutdown));
}

}  // namespace hc::producer
