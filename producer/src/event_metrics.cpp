#include "event_metrics.h"

#include <utility>
#include <vector>

#include "hc/common/metric_families.h"

namespace hc::producer {
namespace {

double load(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

void collect(const EventStats& stats, MetricFamilyWriter& out) {
  const std::string changes_help = "State changes acknowledged by Kafka, by the state entered";
  for (SiteStatus to : {SiteStatus::kUp, SiteStatus::kDown}) {
    out.counter("hc_state_changes_total", changes_help,
                load(stats.delivered.at(static_cast<std::size_t>(to))),
                {{"to", std::string(status_name(to))}});
  }
  const std::string lost_help = "State changes lost, by stage";
  out.counter("hc_state_changes_lost_total", lost_help, load(stats.dropped),
              {{"stage", "produce"}});
  out.counter("hc_state_changes_lost_total", lost_help, load(stats.delivery_failures),
              {{"stage", "delivery"}});
  out.gauge("hc_state_changes_queued", "State changes waiting for delivery to Kafka",
            static_cast<double>(stats.queue_depth()));
  out.gauge("hc_restored_site_states", "Sites whose state was restored from the events topic",
            load(stats.restored_sites));
  out.gauge("hc_state_restore_complete",
            "1 when the start read every events topic to its end in time, 0 when it did not",
            stats.restore_complete.load(std::memory_order_relaxed) ? 1 : 0);
  out.counter("hc_restore_skipped_events_total",
              "Records on the events topics that were no valid event (skipped at restore)",
              load(stats.restore_skipped_events));
}

// Concatenates the families of two collectables.
class CombinedCollectable final : public prometheus::Collectable {
 public:
  CombinedCollectable(std::shared_ptr<prometheus::Collectable> first,
                      std::shared_ptr<prometheus::Collectable> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families = first_->Collect();
    for (auto& family : second_->Collect()) families.push_back(std::move(family));
    return families;
  }

 private:
  std::shared_ptr<prometheus::Collectable> first_;
  std::shared_ptr<prometheus::Collectable> second_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> with_event_metrics(
    std::shared_ptr<prometheus::Collectable> producer_metrics, const EventStats& stats) {
  return std::make_shared<CombinedCollectable>(
      std::move(producer_metrics), std::make_shared<ScrapeCollectable>(
                                       [&stats](MetricFamilyWriter& out) { collect(stats, out); }));
}

}  // namespace hc::producer
