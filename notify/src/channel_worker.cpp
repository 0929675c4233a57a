#include "channel_worker.h"

#include "channel_request.h"
#include "hc/common/logging.h"
#include "retry_backoff.h"

namespace hc::notify {
namespace {

// A dead letter the broker does not acknowledge is tried again this often.
constexpr std::chrono::milliseconds kDeadLetterTimeout{10000};
constexpr std::chrono::milliseconds kDeadLetterRetryDelay{1000};

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ChannelWorker::ChannelWorker(std::size_t index, const NotifyChannel& channel,
                             DeliveryTracker& tracker, DeadLetters& dead_letters,
                             NotifyStats& stats)
    : index_(index),
      channel_(channel),
      tracker_(tracker),
      dead_letters_(dead_letters),
      stats_(stats),
      random_(std::random_device{}()),
      thread_([this] { run(); }) {}

ChannelWorker::~ChannelWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ChannelWorker::enqueue(std::shared_ptr<const Notification> notification) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(notification));
  }
  wake_.notify_all();
}

bool ChannelWorker::wait(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ChannelWorker::run() {
  while (true) {
    std::shared_ptr<const Notification> next;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    const PartitionId id{next->topic, next->partition};
    if (!tracker_.needed(id, next->offset, index_)) {
      stats_.count(index_, DeliveryOutcome::kSkipped);
      continue;
    }
    deliver(*next);
  }
}

void ChannelWorker::deliver(const Notification& notification) {
  const PartitionId id{notification.topic, notification.partition};
  const auto first_attempt = std::chrono::steady_clock::now();
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  for (int attempts = 1;; ++attempts) {
    const ChannelRequest request = render_request(channel_, notification, unix_seconds_now());
    const PostOutcome outcome = poster_.post(channel_.url, request, channel_.timeout);
    if (outcome.kind == PostOutcome::Kind::kAccepted) {
      stats_.set_channel_up(index_);
      stats_.count(index_, DeliveryOutcome::kDelivered);
      tracker_.complete(id, notification.offset, index_);
      log_event(spdlog::level::debug, "notification delivered",
                {{"channel", channel_.name},
                 {"url", notification.event.url},
                 {"event_id", notification.event_id},
                 {"attempts", std::to_string(attempts)}});
      return;
    }
    stats_.set_channel_down(index_, outcome.error);
    std::optional<std::chrono::milliseconds> delay;
    if (outcome.kind == PostOutcome::Kind::kRetry) {
      delay = next_retry_delay(channel_.retry, attempts,
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - first_attempt),
                               jitter(random_));
    }
    if (!delay) {
      dead_letter(notification, outcome.error, attempts);
      return;
    }
    stats_.count(index_, DeliveryOutcome::kRetried);
    log_event(spdlog::level::warn, "notification failed; retrying",
              {{"channel", channel_.name},
               {"url", notification.event.url},
               {"event_id", notification.event_id},
               {"error", outcome.error},
               {"attempt", std::to_string(attempts)},
               {"retry_in_ms", std::to_string(delay->count())}});
    if (!wait(*delay)) return;
  }
}

void ChannelWorker::dead_letter(const Notification& notification, const std::string& error,
                                int attempts) {
  while (true) {
    const std::string problem =
        dead_letters_.publish(notification, channel_.name, error, attempts, kDeadLetterTimeout);
    if (problem.empty()) break;
    log_event(spdlog::level::err, "cannot write a dead letter; trying again",
              {{"channel", channel_.name},
               {"topic", dead_letters_.topic()},
               {"event_id", notification.event_id},
               {"error", problem}});
    if (!wait(kDeadLetterRetryDelay)) return;
  }
  stats_.count(index_, DeliveryOutcome::kDeadLettered);
  tracker_.complete(PartitionId{notification.topic, notification.partition}, notification.offset,
                    index_);
  log_event(spdlog::level::err, "notification dead-lettered",
            {{"channel", channel_.name},
             {"url", notification.event.url},
             {"event_id", notification.event_id},
             {"topic", dead_letters_.topic()},
             {"error", error},
             {"attempts", std::to_string(attempts)}});
}

}  // namespace hc::notify
