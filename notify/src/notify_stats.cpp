#include "notify_stats.h"

#include <array>
#include <string_view>

namespace hc::notify {
namespace {

constexpr std::array<std::string_view, 8> kDeliveryOutcomes = {
    "delivered", "retried",    "dead_lettered", "skipped",
    "silenced",  "suppressed", "reminded",      "rate_limited"};
constexpr std::array<std::string_view, 3> kEventOutcomes = {"routed", "unrouted", "poison"};

}  // namespace

NotifyStats::NotifyStats(std::vector<std::string> channel_names)
    : last_errors_(channel_names.size()) {
  for (std::string& name : channel_names) {
    channels_.push_back(std::make_unique<Channel>());
    channels_.back()->name = std::move(name);
  }
}

void NotifyStats::count(std::size_t channel, DeliveryOutcome outcome) {
  channels_[channel]->outcomes[static_cast<std::size_t>(outcome)].fetch_add(1);
}

void NotifyStats::count(EventOutcome outcome) {
  events_[static_cast<std::size_t>(outcome)].fetch_add(1);
}

void NotifyStats::set_channel_up(std::size_t channel) { channels_[channel]->up.store(true); }

void NotifyStats::set_channel_down(std::size_t channel, const std::string& error) {
  MutexLock lock(mutex_);
  last_errors_[channel] = error;
  channels_[channel]->up.store(false);
}

void NotifyStats::set_kafka_problem(std::optional<std::string> problem) {
  MutexLock lock(mutex_);
  kafka_problem_ = std::move(problem);
}

std::uint64_t NotifyStats::delivered(std::size_t channel) const {
  return channels_[channel]->outcomes[0].load();
}

void NotifyStats::collect(MetricFamilyWriter& out) const {
  for (const auto& channel : channels_) {
    for (std::size_t i = 0; i < kDeliveryOutcomes.size(); ++i) {
      out.counter("hc_notifications_total", "Deliveries per channel and outcome",
                  static_cast<double>(channel->outcomes[i].load()),
                  {{"channel", channel->name}, {"outcome", std::string(kDeliveryOutcomes[i])}});
    }
  }
  for (const auto& channel : channels_) {
    out.gauge("hc_notify_channel_up", "1 while the channel's last attempt succeeded",
              channel->up.load() ? 1.0 : 0.0, {{"channel", channel->name}});
  }
  for (std::size_t i = 0; i < kEventOutcomes.size(); ++i) {
    out.counter("hc_notify_events_total", "State-change events read, by what became of them",
                static_cast<double>(events_[i].load()),
                {{"outcome", std::string(kEventOutcomes[i])}});
  }
  out.gauge("hc_notify_pending_events", "Events read and not yet complete on every channel",
            static_cast<double>(pending_.load()));
}

std::optional<std::string> NotifyStats::problem() const {
  MutexLock lock(mutex_);
  std::string text;
  if (kafka_problem_) text = "kafka: " + *kafka_problem_;
  for (std::size_t channel = 0; channel < channels_.size(); ++channel) {
    if (channels_[channel]->up.load()) continue;
    if (!text.empty()) text += "; ";
    text += "channel " + channels_[channel]->name + " down: " + last_errors_[channel];
  }
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace hc::notify
