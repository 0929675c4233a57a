// The open connections of one http::Server: how many there are (the limit), the raw request
// target of each request being read, and each request's deadline, enforced by a watchdog
// thread that shuts down the socket of a connection over its deadline (libmicrohttpd's own
// timeout only measures idleness, which a client sending a byte a second never reaches).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <unordered_map>

#include "hc/common/mutex.h"

namespace hc::http {

// Connections are named by an opaque key (the MHD_Connection pointer).
// Thread: every method but the destructor is called on the server's event thread; the
// watchdog thread only reads deadlines and shuts sockets down, under the same mutex.
class ConnectionTable {
 public:
  ConnectionTable(std::size_t max_connections, std::chrono::milliseconds request_deadline);
  // Joins the watchdog.
  ~ConnectionTable();
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // Whether one more connection may open (fewer than max_connections are open).
  bool admits_another() const;
  // A connection on socket `fd` opened: its first request's deadline starts now.
  void opened(const void* key, int fd);
  // The connection is about to close (the socket is still open): forget it.
  // REQUIRES: called before the socket is closed, so the watchdog never touches a reused fd.
  void closed(const void* key);
  // The request line arrived: keep its raw target for take_target().
  void set_target(const void* key, std::string target);
  std::string take_target(const void* key);
  // The whole request arrived: no deadline while it is handled and answered.
  void request_read(const void* key);
  // The response was sent: the next request on this connection must arrive within the
  // deadline from now (this also bounds an idle kept-alive connection).
  void response_sent(const void* key);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    int fd = -1;
    Clock::time_point deadline = Clock::time_point::max();  // max: none
    std::string target;
  };
  void watch();

  std::size_t max_connections_;
  std::chrono::milliseconds request_deadline_;
  mutable Mutex mutex_;
  CondVar stop_requested_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::unordered_map<const void*, Entry> entries_ GUARDED_BY(mutex_);
  std::thread watchdog_;  // last: started once the rest exists
};

}  // namespace hc::http
