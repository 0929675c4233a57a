// One channel's delivery thread: takes the channel's events in order, sends each (retrying
// per the channel's RetrySettings, see retry_backoff.h and http_poster.h), dead-letters what
// cannot be delivered, and reports each completed delivery to the DeliveryTracker.
//
// A channel that is down holds up only its own queue. Events the tracker no longer needs
// (delivered before a restart or by an earlier copy after a rebalance, or of a partition
// no longer ours) are skipped.
//
// Threads: enqueue() from the consumer thread; everything else on the worker's own thread.
// The destructor stops the thread: a delivery in hand is abandoned (not completed, so its
// offset stays uncommitted and it is repeated later).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "dead_letters.h"
#include "delivery_tracker.h"
#include "hc/common/notify_config.h"
#include "http_poster.h"
#include "notification.h"
#include "notify_stats.h"

namespace hc::notify {

class ChannelWorker {
 public:
  // `index`: the channel's position in the config (and in the tracker and stats). All
  // references must outlive the worker.
  ChannelWorker(std::size_t index, const NotifyChannel& channel, DeliveryTracker& tracker,
                DeadLetters& dead_letters, NotifyStats& stats);
  ~ChannelWorker();
  ChannelWorker(const ChannelWorker&) = delete;
  ChannelWorker& operator=(const ChannelWorker&) = delete;

  void enqueue(std::shared_ptr<const Notification> notification);

 private:
  void run();
  void deliver(const Notification& notification);
  void dead_letter(const Notification& notification, const std::string& error, int attempts);
  // Waits `delay` unless stopped first; false when stopped.
  bool wait(std::chrono::milliseconds delay);

  const std::size_t index_;
  const NotifyChannel& channel_;
  DeliveryTracker& tracker_;
  DeadLetters& dead_letters_;
  NotifyStats& stats_;
  std::mt19937_64 random_;  // the worker thread's only
  HttpPoster poster_;       // the worker thread's only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<const Notification>> queue_;  // guarded by mutex_
  bool stopping_ = false;                                  // guarded by mutex_
  std::thread thread_;  // last: started once every member above exists
};

}  // namespace hc::notify
