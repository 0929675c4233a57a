// run_notify: reads events, routes them, hands them to the channel workers and commits what
// every channel completed. The rules of each step live in the files named below.
#include "hc/notify/notify.h"

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "channel_worker.h"
#include "dead_letters.h"
#include "delivery_tracker.h"
#include "event_consumer.h"
#include "event_id.h"
#include "hc/common/curl_global.h"
#include "hc/common/logging.h"
#include "hc/common/metric_families.h"
#include "hc/common/metrics_server.h"
#include "hc/common/silence_book.h"
#include "hc/common/silences_follower.h"
#include "notify_stats.h"
#include "route_table.h"

namespace hc {
namespace {

using notify::ChannelWorker;
using notify::DeliveryTracker;
using notify::EventOutcome;
using notify::Notification;
using notify::PartitionId;

// Events read and not yet complete on every channel, beyond which reading pauses (memory
// stays bounded while a channel is down); it resumes below half.
constexpr std::size_t kMaxPendingEvents = 10000;
constexpr std::chrono::milliseconds kCommitInterval{200};
constexpr std::chrono::milliseconds kPollTimeout{100};
// The longest the start waits for the silences topic to be read.
constexpr std::chrono::milliseconds kSilencesCatchUp{10000};
// A record larger than any event hc writes is not decoded.
constexpr std::size_t kMaxEventBytes = std::size_t{1024} * 1024;

std::vector<std::string> channel_names(const NotifyConfig& config) {
  std::vector<std::string> names;
  for (const NotifyChannel& channel : config.channels) names.push_back(channel.name);
  return names;
}

// One record: decoded, routed, handed to the workers of the channels that still owe it.
// Records that are not events (poison, tombstones) are complete at once: they are logged
// and counted, never retried.
void dispatch(const rd_kafka_message_t& record, StateEventDecoder& decoder,
              const notify::RouteTable& routes, DeliveryTracker& tracker,
              notify::NotifyStats& stats, std::vector<std::unique_ptr<ChannelWorker>>& workers) {
  const PartitionId id{rd_kafka_topic_name(record.rkt), record.partition};
  if (record.payload == nullptr) {  // a tombstone of the compacted topic
    tracker.add(id, record.offset, {});
    return;
  }
  auto notification = std::make_shared<Notification>();
  notification->topic = id.topic;
  notification->partition = id.partition;
  notification->offset = record.offset;
  notification->event_json.assign(static_cast<const char*>(record.payload),
                                  std::min(record.len, kMaxEventBytes));
  auto decoded = record.len > kMaxEventBytes
                     ? std::variant<StateEvent, Poison>(Poison{"too_large", "over 1 MiB"})
                     : decoder.decode(notification->event_json);
  if (auto* poison = std::get_if<Poison>(&decoded)) {
    stats.count(EventOutcome::kPoison);
    log_event(spdlog::level::warn, "not a state-change event; skipped",
              {{"topic", id.topic},
               {"partition", std::to_string(id.partition)},
               {"offset", std::to_string(record.offset)},
               {"reason", poison->reason},
               {"detail", poison->detail}});
    tracker.add(id, record.offset, {});
    return;
  }
  notification->event = std::move(std::get<StateEvent>(decoded));
  notification->event_id = notify::event_id(notification->event);
  const std::vector<std::size_t> channels = routes.channels_for(id.topic, notification->event);
  stats.count(channels.empty() ? EventOutcome::kUnrouted : EventOutcome::kRouted);
  const std::vector<std::size_t> owed = tracker.add(id, record.offset, channels);
  for (std::size_t channel : channels) {
    if (std::find(owed.begin(), owed.end(), channel) == owed.end()) {
      stats.count(channel, notify::DeliveryOutcome::kSkipped);
    }
  }
  for (std::size_t channel : owed) workers[channel]->enqueue(notification);
}

}  // namespace

int run_notify(const NotifyConfig& config, StopControl& control, const NotifyOptions& options) {
  CurlGlobal curl;
  notify::NotifyStats stats(channel_names(config));
  std::optional<MetricsServer> metrics;
  if (!options.metrics_address.empty()) {
    metrics.emplace(options.metrics_address,
                    std::make_shared<ScrapeCollectable>(
                        [&stats](MetricFamilyWriter& out) { stats.collect(out); }),
                    [&stats] { return stats.problem(); });
    spdlog::info("metrics on {}", options.metrics_address);
  }
  const notify::RouteTable routes(config);
  DeliveryTracker tracker(channel_names(config));
  notify::DeadLetters dead_letters(config.kafka, config.dead_letter_topic);
  SilenceBook silences(config.silences);
  SilencesFollower silences_follower(config, silences, "hc-notify-silences");
  notify::EventConsumer consumer(config, tracker, stats);
  std::vector<std::unique_ptr<ChannelWorker>> workers;
  for (std::size_t i = 0; i < config.channels.size(); ++i) {
    workers.push_back(std::make_unique<ChannelWorker>(i, config.channels[i], config, silences,
                                                      tracker, dead_letters, stats));
  }
  log_event(spdlog::level::info, "notify started",
            {{"group", config.notify_group},
             {"channels", std::to_string(config.channels.size())},
             {"routes", std::to_string(config.routes.size())}});

  // Runtime silences first, so that an event inside one is not sent for want of reading it.
  if (!silences_follower.wait_caught_up(kSilencesCatchUp)) {
    log_event(spdlog::level::warn, "runtime silences not read to their end yet; going on",
              {{"topic", config.silences_topic},
               {"waited_ms", std::to_string(kSilencesCatchUp.count())}});
  }
  StateEventDecoder decoder;
  auto last_commit = std::chrono::steady_clock::now();
  while (!control.stop_requested()) {
    const std::size_t pending = tracker.pending();
    stats.set_pending(pending);
    if (pending >= kMaxPendingEvents) {
      consumer.set_paused(true);
    } else if (pending < kMaxPendingEvents / 2) {
      consumer.set_paused(false);
    }
    if (KafkaMessage record = consumer.poll(kPollTimeout)) {
      if (record->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        dispatch(*record, decoder, routes, tracker, stats, workers);
      } else {
        log_event(spdlog::level::warn, "kafka consumer error",
                  {{"error", rd_kafka_message_errstr(record.get())}});
      }
    }
    if (std::chrono::steady_clock::now() - last_commit >= kCommitInterval) {
      consumer.commit_async(tracker.take_commits());
      last_commit = std::chrono::steady_clock::now();
    }
  }
  // Deliveries in hand are abandoned: not complete, so not committed, so repeated later.
  workers.clear();
  consumer.commit_sync(tracker.all_commits());
  consumer.close();
  spdlog::info("notify stopped");
  return 0;
}

}  // namespace hc
