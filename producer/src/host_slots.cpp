#include "host_slots.h"

#include <algorithm>
#include <utility>

namespace hc::producer {

HostSlots::HostSlots(std::size_t loops) : granted_(loops), wakers_(loops) {}

void HostSlots::set_waker(LoopIndex loop, std::function<void()> wake) {
  MutexLock lock(mutex_);
  wakers_.at(loop) = std::move(wake);
}

bool HostSlots::acquire(const std::string& host, std::size_t limit, LoopIndex loop) {
  MutexLock lock(mutex_);
  Host& slots = hosts_[host];
  if (slots.queue.empty() && slots.taken < limit) {
    ++slots.taken;
    return true;
  }
  slots.queue.push_back(Waiter{loop, limit});
  return false;
}

void HostSlots::release(const std::string& host) {
  std::function<void()> wake;
  {
    MutexLock lock(mutex_);
    const auto found = hosts_.find(host);
    if (found == hosts_.end() || found->second.taken == 0) return;  // not taken: a caller bug
    Host& slots = found->second;
    --slots.taken;
    if (!slots.queue.empty() && slots.taken < slots.queue.front().limit) {
      const LoopIndex loop = slots.queue.front().loop;
      slots.queue.pop_front();
      ++slots.taken;
      granted_[loop].push_back(host);
      wake = wakers_[loop];
    } else if (slots.taken == 0 && slots.queue.empty()) {
      hosts_.erase(found);
    }
  }
  if (wake) wake();
}

bool HostSlots::withdraw(const std::string& host, LoopIndex loop) {
  MutexLock lock(mutex_);
  const auto found = hosts_.find(host);
  if (found == hosts_.end()) return false;
  std::deque<Waiter>& queue = found->second.queue;
  // The loop's queued checks of one host are alike to it: the last one goes, so the others
  // keep their places.
  const auto last = std::find_if(queue.rbegin(), queue.rend(),
                                 [loop](const Waiter& waiter) { return waiter.loop == loop; });
  if (last == queue.rend()) return false;
  queue.erase(std::next(last).base());
  if (found->second.taken == 0 && queue.empty()) hosts_.erase(found);
  return true;
}

std::vector<std::string> HostSlots::take_granted(LoopIndex loop) {
  MutexLock lock(mutex_);
  return std::exchange(granted_.at(loop), {});
}

std::size_t HostSlots::taken(const std::string& host) const {
  MutexLock lock(mutex_);
  const auto found = hosts_.find(host);
  return found == hosts_.end() ? 0 : found->second.taken;
}

}  // namespace hc::producer
