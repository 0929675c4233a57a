#include "hc/common/signals.h"

#include <signal.h>

#include <ctime>

namespace hc {

void StopControl::request_stop() {
  stop_.store(true, std::memory_order_release);
  wake_all();
}

void StopControl::request_reload() {
  reload_.store(true, std::memory_order_release);
  wake_all();
}

void StopControl::add_waker(std::function<void()> waker) {
  MutexLock lock(wakers_mutex_);
  wakers_.push_back(std::move(waker));
}

void StopControl::wake_all() {
  MutexLock lock(wakers_mutex_);
  for (const auto& waker : wakers_) waker();
}

namespace {
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

SignalWatcher::SignalWatcher(StopControl& control) : control_(control) {
  sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    // Short timeout so the destructor can end the thread without sending a signal.
    const timespec tick{0, 200'000'000};
    while (!done_.load(std::memory_order_acquire)) {
      int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal == SIGHUP) {
        control_.request_reload();
      } else if (signal == SIGINT || signal == SIGTERM) {
        control_.request_stop();
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_.store(true, std::memory_order_release);
  thread_.join();
}

}  // namespace hc
