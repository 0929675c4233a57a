// Process signals turned into state that the role loops poll, without global variables.
//
// Construct SignalWatcher first thing in main(), before any thread starts: it blocks
// SIGINT, SIGTERM and SIGHUP in the calling thread (threads started later inherit the
// mask) and waits for them with sigtimedwait on its own thread.
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "hc/common/mutex.h"

namespace hc {

// What a role loop asks each turn. Also usable on its own in tests (request_stop()).
class StopControl {
 public:
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }
  void request_stop();
  // Returns true once per SIGHUP received (the producer reloads its sites).
  bool take_reload_request() { return reload_.exchange(false, std::memory_order_acq_rel); }
  void request_reload();
  // Called (from the signal thread) after every stop or reload request, e.g. to wake a
  // loop blocked in curl_multi_poll or rd_kafka_consumer_poll. Register before run().
  void add_waker(std::function<void()> waker);

 private:
  void wake_all();
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  Mutex wakers_mutex_;
  std::vector<std::function<void()>> wakers_ GUARDED_BY(wakers_mutex_);
};

class SignalWatcher {
 public:
  explicit SignalWatcher(StopControl& control);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  StopControl& control_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace hc
