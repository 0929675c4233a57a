// A libcurl multi handle driven by its event-driven API (curl_multi_socket_action) on our
// own epoll set. curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
// its next timeout is due (CURLMOPT_TIMERFUNCTION); a wait then touches only the sockets
// that have activity, not every transfer in flight as curl_multi_perform/curl_multi_poll
// do. An eventfd in the same epoll set lets another thread end a wait early.
//
// Thread: one thread (the owner's loop) calls everything except wakeup(), which any
// thread may call while the loop exists.
#pragma once

#include <curl/curl.h>
#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "curl_handles.h"
#include "loop_lag.h"
#include "run_queue_time.h"
#include "unique_fd.h"

namespace hc::producer {

class CurlMultiLoop {
 public:
  // A transfer whose socket could not be added to the epoll set (epoll_ctl failed, e.g.
  // out of memory or fs.epoll.max_user_watches reached). curl still counts it as running:
  // the owner must remove it from the multi handle and report it as failed.
  struct WatchFailure {
    CURL* easy = nullptr;
    std::string detail;
  };

  // REQUIRES: curl_global_init() was called and outlives the loop.
  // Throws std::runtime_error when the multi handle, epoll or eventfd cannot be created.
  CurlMultiLoop();
  CurlMultiLoop(const CurlMultiLoop&) = delete;
  CurlMultiLoop& operator=(const CurlMultiLoop&) = delete;

  // For curl_multi_add_handle/remove_handle/info_read; owned by this loop.
  CURLM* multi() const { return multi_.get(); }

  // Waits up to max_wait for socket activity, curl's next timeout or wakeup() (not at all
  // when curl's timeout is already due, as it is right after a handle was added), then
  // lets curl act on the sockets that are ready and on expired timeouts. Finished
  // transfers are then waiting in curl_multi_info_read().
  void run(std::chrono::milliseconds max_wait);

  // Makes a blocked run() return early. Thread-safe.
  void wakeup();

  // How late this loop has been: every run()'s wait is recorded in it.
  const LoopLag& lag() const { return lag_; }

  // Transfers whose sockets could not be watched since the last call.
  std::vector<WatchFailure> take_watch_failures();

  // The other check types' sockets share this epoll set, so one wait serves every check of
  // the loop. Their events go to their IoHandler, never to curl; curl's sockets cost one
  // branch more per event, nothing per check.
  class IoHandler {
   public:
    // Called inside run(), on the loop thread, for each ready fd the handler watches.
    // `events` are epoll's (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).
    virtual void on_io(int fd, std::uint32_t events) = 0;

   protected:
    ~IoHandler() = default;
  };
  // Registers a handler for watch(); returns its id. REQUIRES: the handler outlives its
  // watched fds (it unwatches them, or closes them, before it is destroyed).
  std::uint32_t add_io_handler(IoHandler& handler);
  // Adds fd to the epoll set (or changes its events) for handler `id`. Returns 0 or errno.
  int watch(std::uint32_t id, int fd, std::uint32_t events);
  // Removes fd from the set (closing it does so too).
  void unwatch(int fd);

 private:
  using Clock = std::chrono::steady_clock;

  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* watched);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  std::chrono::milliseconds wait_for(std::chrono::milliseconds max_wait) const;
  void act_on_socket(curl_socket_t socket, int action);
  void act_on_timeout();
  void drain_wakeups();

  UniqueFd epoll_;
  UniqueFd wakeup_;  // eventfd, registered in epoll_
  // curl's next timeout; nullopt when curl has none. Set only by on_timer().
  std::optional<Clock::time_point> timeout_at_;
  std::vector<WatchFailure> watch_failures_;
  std::array<epoll_event, 256> events_{};
  // Handler i has id i + 1 in the upper 32 bits of its fds' epoll data; curl's have 0.
  std::vector<IoHandler*> io_handlers_;
  LoopLag lag_;
  // The loop thread's run-queue time; made by the first run(), on that thread.
  std::optional<RunQueueTime> run_queue_;
  // Declared last: destroyed first, while epoll_ is still open for curl's socket callbacks.
  CurlMulti multi_;
};

}  // namespace hc::producer
