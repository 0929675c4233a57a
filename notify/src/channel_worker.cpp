#include "channel_worker.h"

#include <algorithm>

#include "hc/common/logging.h"
#include "retry_backoff.h"

namespace hc::notify {
namespace {

// A dead letter the broker does not acknowledge is tried again this often.
constexpr std::chrono::milliseconds kDeadLetterTimeout{10000};
constexpr std::chrono::milliseconds kDeadLetterRetryDelay{1000};
// At most this many events in one grouped message.
constexpr std::size_t kMaxGroup = 500;
// The longest a wait lasts before the worker looks again (held events, reminders).
constexpr std::chrono::milliseconds kMaxIdle{1000};

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::chrono::system_clock::time_point system_time(WallTime time) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(time);
}

}  // namespace

ChannelWorker::ChannelWorker(std::size_t index, const NotifyChannel& channel,
                             const NotifyConfig& config, const SilenceBook& silences,
                             DeliveryTracker& tracker, DeadLetters& dead_letters,
                             NotifyStats& stats, std::unique_ptr<ChannelTransport> transport)
    : index_(index),
      channel_(channel),
      config_(config),
      silences_(silences),
      tracker_(tracker),
      dead_letters_(dead_letters),
      stats_(stats),
      random_(std::random_device{}()),
      transport_(transport ? std::move(transport) : make_transport(channel)),
      tokens_(channel.rate_limit_per_minute),
      tokens_at_(std::chrono::steady_clock::now()),
      thread_([this] { run(); }) {}

ChannelWorker::~ChannelWorker() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ChannelWorker::enqueue(std::shared_ptr<const Notification> notification) {
  {
    MutexLock lock(mutex_);
    incoming_.push_back(std::move(notification));
  }
  wake_.notify_all();
}

bool ChannelWorker::stopping() {
  MutexLock lock(mutex_);
  return stopping_;
}

bool ChannelWorker::wait_until(SteadyTime deadline) {
  MutexLock lock(mutex_);
  while (!stopping_ && incoming_.empty() && wake_.wait_until(mutex_, deadline)) {
  }
  return !stopping_;
}

void ChannelWorker::complete(const Item& item) {
  tracker_.complete(PartitionId{item->topic, item->partition}, item->offset, index_);
}

void ChannelWorker::run() {
  while (true) {
    std::vector<Item> incoming;
    {
      MutexLock lock(mutex_);
      if (stopping_) return;
      incoming.swap(incoming_);
    }
    admit(std::move(incoming));
    release_held();
    send_reminders();
    const auto now = std::chrono::steady_clock::now();
    if (!ready_.empty()) {
      const SteadyTime batch_due = ready_.front().since + channel_.group_window;
      if (now >= batch_due) {
        const std::vector<Item> batch = take_batch();
        if (!batch.empty() && (!take_rate_token() || !deliver(batch))) return;
        continue;
      }
      if (!wait_until(batch_due)) return;
      continue;
    }
    if (!wait_until(now + kMaxIdle)) return;
  }
}

void ChannelWorker::admit(std::vector<Item> incoming) {
  const auto now = std::chrono::system_clock::now();
  for (Item& item : incoming) {
    if (!tracker_.needed(PartitionId{item->topic, item->partition}, item->offset, index_)) {
      stats_.count(index_, DeliveryOutcome::kSkipped);
      continue;
    }
    const std::string& url = item->event.url;
    reminders_.erase(url);  // any later change of the site ends its reminders
    if (auto silence = silences_.silenced_by(item->event)) {
      stats_.count(index_, DeliveryOutcome::kSilenced);
      log_event(spdlog::level::info, "notification silenced",
                {{"channel", channel_.name},
                 {"url", url},
                 {"event_id", item->event_id},
                 {"silence", *silence}});
      complete(item);
      continue;
    }
    auto held = held_.find(url);
    if (held != held_.end()) {
      // The site changed back within for_s: neither change is worth a message.
      stats_.count(index_, DeliveryOutcome::kSuppressed);
      stats_.count(index_, DeliveryOutcome::kSuppressed);
      log_event(spdlog::level::info, "flap within for_s; nothing sent",
                {{"channel", channel_.name}, {"url", url}});
      complete(held->second.first);
      complete(item);
      held_.erase(held);
      continue;
    }
    if (channel_.for_s.count() > 0 && item->event.to == SiteStatus::kDown) {
      const auto due = system_time(item->event.at) + channel_.for_s;
      if (due > now) {
        held_.emplace(url, std::make_pair(std::move(item), due));
        continue;
      }
    }
    ready_.push_back(Ready{std::move(item), std::chrono::steady_clock::now()});
  }
}

void ChannelWorker::release_held() {
  const auto now = std::chrono::system_clock::now();
  for (auto held = held_.begin(); held != held_.end();) {
    if (held->second.second <= now) {
      ready_.push_back(Ready{std::move(held->second.first), std::chrono::steady_clock::now()});
      held = held_.erase(held);
    } else {
      ++held;
    }
  }
}

std::vector<ChannelWorker::Item> ChannelWorker::take_batch() {
  std::vector<Item> batch{std::move(ready_.front().item)};
  ready_.pop_front();
  if (channel_.group_window.count() == 0) return batch;
  const SiteStatus from = batch[0]->event.from;
  const SiteStatus to = batch[0]->event.to;
  for (auto ready = ready_.begin(); ready != ready_.end() && batch.size() < kMaxGroup;) {
    if (ready->item->event.from == from && ready->item->event.to == to) {
      batch.push_back(std::move(ready->item));
      ready = ready_.erase(ready);
    } else {
      ++ready;
    }
  }
  return batch;
}

void ChannelWorker::send_reminders() {
  if (channel_.repeat_every.count() == 0) return;
  const auto now = std::chrono::system_clock::now();
  std::erase_if(reminders_, [this](const auto& entry) {
    const Item& item = entry.second.item;
    return tracker_.assignment(PartitionId{item->topic, item->partition}) !=
           entry.second.assignment;  // the partition moved: its next change goes elsewhere
  });
  for (auto& [url, reminder] : reminders_) {
    if (reminder.due > now) continue;
    ++reminder.count;
    reminder.due = now + channel_.repeat_every;
    // Reminders are best effort: one attempt, never dead-lettered; each has an id of its own
    // (receivers that fold repeats by id must not fold reminders).
    Notification again = *reminder.item;
    again.event_id += ".r" + std::to_string(reminder.count);
    const Notification* one[] = {&again};
    const SendOutcome outcome =
        transport_->send(channel_, one, RenderContext{unix_seconds_now(), config_.public_url});
    stats_.count(index_, outcome.kind == SendOutcome::Kind::kAccepted ? DeliveryOutcome::kReminded
                                                                      : DeliveryOutcome::kRetried);
  }
}

bool ChannelWorker::take_rate_token() {
  if (channel_.rate_limit_per_minute <= 0) return true;
  const double per_second = channel_.rate_limit_per_minute / 60.0;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min<double>(
        channel_.rate_limit_per_minute,
        tokens_ + std::chrono::duration<double>(now - tokens_at_).count() * per_second);
    tokens_at_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return true;
    }
    const auto wait = std::chrono::duration<double>((1 - tokens_) / per_second);
    stats_.count(index_, DeliveryOutcome::kRateLimited);
    const auto refilled = std::chrono::steady_clock::now() + wait;
    MutexLock lock(mutex_);
    while (!stopping_ && wake_.wait_until(mutex_, refilled)) {
    }
    if (stopping_) return false;
  }
}

bool ChannelWorker::deliver(const std::vector<Item>& batch) {
  std::vector<const Notification*> events;
  events.reserve(batch.size());
  for (const Item& item : batch) events.push_back(item.get());
  const auto first_attempt = std::chrono::steady_clock::now();
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  for (int attempts = 1;; ++attempts) {
    const SendOutcome outcome =
        transport_->send(channel_, events, RenderContext{unix_seconds_now(), config_.public_url});
    if (outcome.kind == SendOutcome::Kind::kAccepted) {
      stats_.set_channel_up(index_);
      for (const Item& item : batch) {
        stats_.count(index_, DeliveryOutcome::kDelivered);
        complete(item);
        if (channel_.repeat_every.count() == 0 || item->event.to != SiteStatus::kDown) continue;
        if (auto assignment = tracker_.assignment(PartitionId{item->topic, item->partition})) {
          reminders_[item->event.url] = Reminder{
              item, std::chrono::system_clock::now() + channel_.repeat_every, 0, *assignment};
        }
      }
      log_event(spdlog::level::debug, "notification delivered",
                {{"channel", channel_.name},
                 {"url", batch[0]->event.url},
                 {"events", std::to_string(batch.size())},
                 {"event_id", group_id(events)},
                 {"attempts", std::to_string(attempts)}});
      return true;
    }
    stats_.set_channel_down(index_, outcome.error);
    std::optional<std::chrono::milliseconds> delay;
    if (outcome.kind == SendOutcome::Kind::kRetry) {
      delay = next_retry_delay(channel_.retry, attempts,
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - first_attempt),
                               jitter(random_));
    }
    if (!delay) {
      dead_letter(batch, outcome.error, attempts);
      return !stopping();
    }
    stats_.count(index_, DeliveryOutcome::kRetried);
    log_event(spdlog::level::warn, "notification failed; retrying",
              {{"channel", channel_.name},
               {"url", batch[0]->event.url},
               {"events", std::to_string(batch.size())},
               {"error", outcome.error},
               {"attempt", std::to_string(attempts)},
               {"retry_in_ms", std::to_string(delay->count())}});
    if (!wait_until(std::chrono::steady_clock::now() + *delay)) return false;
  }
}

void ChannelWorker::dead_letter(const std::vector<Item>& batch, const std::string& error,
                                int attempts) {
  for (const Item& item : batch) {
    while (true) {
      const std::string problem =
          dead_letters_.publish(*item, channel_.name, error, attempts, kDeadLetterTimeout);
      if (problem.empty()) break;
      log_event(spdlog::level::err, "cannot write a dead letter; trying again",
                {{"channel", channel_.name},
                 {"topic", dead_letters_.topic()},
                 {"event_id", item->event_id},
                 {"error", problem}});
      const auto retry_at = std::chrono::steady_clock::now() + kDeadLetterRetryDelay;
      MutexLock lock(mutex_);
      while (!stopping_ && wake_.wait_until(mutex_, retry_at)) {
      }
      if (stopping_) return;
    }
    stats_.count(index_, DeliveryOutcome::kDeadLettered);
    complete(item);
    log_event(spdlog::level::err, "notification dead-lettered",
              {{"channel", channel_.name},
               {"url", item->event.url},
               {"event_id", item->event_id},
               {"topic", dead_letters_.topic()},
               {"error", error},
               {"attempts", std::to_string(attempts)}});
  }
}

}  // namespace hc::notify
