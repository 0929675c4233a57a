#include "http_connections.h"

#include <sys/socket.h>

#include <algorithm>

namespace hc::http {

ConnectionTable::ConnectionTable(std::size_t max_connections,
                                 std::chrono::milliseconds request_deadline)
    : max_connections_(max_connections), request_deadline_(request_deadline) {
  watchdog_ = std::thread([this] { watch(); });
}

ConnectionTable::~ConnectionTable() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  stop_requested_.notify_all();
  watchdog_.join();
}

bool ConnectionTable::admits_another() const {
  MutexLock lock(mutex_);
  return entries_.size() < max_connections_;
}

void ConnectionTable::opened(const void* key, int fd) {
  MutexLock lock(mutex_);
  entries_[key] = Entry{fd, Clock::now() + request_deadline_, {}};
}

void ConnectionTable::closed(const void* key) {
  MutexLock lock(mutex_);
  entries_.erase(key);
}

void ConnectionTable::set_target(const void* key, std::string target) {
  MutexLock lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) it->second.target = std::move(target);
}

std::string ConnectionTable::take_target(const void* key) {
  MutexLock lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::string() : std::move(it->second.target);
}

void ConnectionTable::request_read(const void* key) {
  MutexLock lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.deadline = Clock::time_point::max();
  }
}

void ConnectionTable::response_sent(const void* key) {
  MutexLock lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.deadline = Clock::now() + request_deadline_;
  }
}

void ConnectionTable::watch() {
  // A tenth of the deadline (at most 100 ms): a connection is closed at most that late.
  const auto tick =
      std::min<std::chrono::milliseconds>(request_deadline_ / 10, std::chrono::milliseconds(100));
  MutexLock lock(mutex_);
  while (!stopping_) {
    stop_requested_.wait_for(mutex_, tick);
    if (stopping_) break;
    const auto now = Clock::now();
    for (auto& [key, entry] : entries_) {
      if (entry.deadline > now) continue;
      // The event thread sees the end of the stream and closes the connection; the fd stays
      // valid until then because closed() (under this mutex) comes before the close.
      shutdown(entry.fd, SHUT_RDWR);
      entry.deadline = Clock::time_point::max();
    }
  }
}

}  // namespace hc::http
