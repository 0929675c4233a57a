// One channel's delivery thread: takes the channel's events in order, sends them (retrying
// per the channel's RetrySettings, see retry_backoff.h), dead-letters what cannot be
// delivered, and reports each completed delivery to the DeliveryTracker.
//
// Before sending, in this order:
//   - events the tracker no longer needs (delivered before a restart, or by an earlier copy
//     after a rebalance, or of a partition no longer ours) are skipped;
//   - silenced events (silence_book.h: the config's and the runtime ones) are complete without a
//   message (outcome "silenced");
//   - for_s: a change to down waits until `at + for_s`; a change of the same URL arriving
//     meanwhile cancels both (outcome "suppressed"). The wait depends only on the event, so a
//     restart waits the same;
//   - group_window_s: the first ready event waits that long for others of the same
//     from -> to; they go out as one message;
//   - rate_limit_per_minute: a token bucket (burst = the limit) delays, never drops.
// repeat_every_s: after a change to down was delivered, a reminder (same body, event id
// "<id>.r<N>") every repeat_every_s while no later event of the URL came and its partition
// stays assigned here (once it moves, a later change reaches the new owner, not this worker,
// so reminding on could contradict it); reminders live in memory only (not repeated after a
// restart, nor by a partition's new owner).
//
// A channel that is down holds up only its own queue.
//
// Threads: enqueue() from the consumer thread; everything else on the worker's own thread.
// The destructor stops the thread: a delivery in hand is abandoned (not completed, so its
// offset stays uncommitted and it is repeated later).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "channel_transport.h"
#include "dead_letters.h"
#include "delivery_tracker.h"
#include "hc/common/mutex.h"
#include "hc/common/notify_config.h"
#include "hc/common/silence_book.h"
#include "notification.h"
#include "notify_stats.h"

namespace hc::notify {

class ChannelWorker {
 public:
  // `index`: the channel's position in the config (and in the tracker and stats). All
  // references must outlive the worker. `transport`: how messages leave; null = the
  // channel type's own (make_transport).
  ChannelWorker(std::size_t index, const NotifyChannel& channel, const NotifyConfig& config,
                const SilenceBook& silences, DeliveryTracker& tracker, DeadLetters& dead_letters,
                NotifyStats& stats, std::unique_ptr<ChannelTransport> transport = nullptr);
  ~ChannelWorker();
  ChannelWorker(const ChannelWorker&) = delete;
  ChannelWorker& operator=(const ChannelWorker&) = delete;

  void enqueue(std::shared_ptr<const Notification> notification);

 private:
  using Item = std::shared_ptr<const Notification>;
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Ready {
    Item item;
    SteadyTime since;
  };
  struct Reminder {
    Item item;
    std::chrono::system_clock::time_point due;
    int count = 0;
    std::uint64_t assignment = 0;  // DeliveryTracker::assignment of its partition at the start
  };

  void run();
  // Takes what enqueue() brought into held_ / ready_ / completions.
  void admit(std::vector<Item> incoming);
  void release_held();
  // The first ready event and, with grouping, the others of its from -> to.
  std::vector<Item> take_batch();
  void send_reminders();
  // Sends until accepted or given up (dead-lettered); false when stopped first.
  bool deliver(const std::vector<Item>& batch);
  void dead_letter(const std::vector<Item>& batch, const std::string& error, int attempts);
  bool take_rate_token();
  // Waits until `deadline` unless enqueue() or the destructor interrupts; false when stopped.
  bool wait_until(SteadyTime deadline);
  bool stopping();
  void complete(const Item& item);

  std::size_t index_;  // set once: the channel's position
  const NotifyChannel& channel_;
  const NotifyConfig& config_;
  const SilenceBook& silences_;
  DeliveryTracker& tracker_;
  DeadLetters& dead_letters_;
  NotifyStats& stats_;
  // The worker thread's only:
  std::mt19937_64 random_;
  std::unique_ptr<ChannelTransport> transport_;
  std::map<std::string, std::pair<Item, std::chrono::system_clock::time_point>> held_;  // by URL
  std::deque<Ready> ready_;
  std::map<std::string, Reminder> reminders_;  // by URL
  double tokens_ = 0;
  SteadyTime tokens_at_;

  Mutex mutex_;
  CondVar wake_;
  std::vector<Item> incoming_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started once every member above exists
};

}  // namespace hc::notify
