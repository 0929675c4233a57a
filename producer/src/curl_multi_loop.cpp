#include "curl_multi_loop.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace hc::producer {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

template <typename Option, typename Value>
void set_multi_option(CURLM* multi, Option option, Value value) {
  if (CURLMcode code = curl_multi_setopt(multi, option, value); code != CURLM_OK) {
    throw std::runtime_error(std::string("curl_multi_setopt failed: ") + curl_multi_strerror(code));
  }
}

}  // namespace

CurlMultiLoop::CurlMultiLoop() {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_) throw_errno("epoll_create1");
  wakeup_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wakeup_) throw_errno("eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = static_cast<std::uint32_t>(wakeup_.get());
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wakeup_.get(), &event) != 0) {
    throw_errno("epoll_ctl(eventfd)");
  }
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  set_multi_option(multi_.get(), CURLMOPT_SOCKETFUNCTION, &CurlMultiLoop::on_socket);
  set_multi_option(multi_.get(), CURLMOPT_SOCKETDATA, static_cast<void*>(this));
  set_multi_option(multi_.get(), CURLMOPT_TIMERFUNCTION, &CurlMultiLoop::on_timer);
  set_multi_option(multi_.get(), CURLMOPT_TIMERDATA, static_cast<void*>(this));
}

void CurlMultiLoop::run(std::chrono::milliseconds max_wait) {
  const std::chrono::milliseconds wait = wait_for(max_wait);
  // A wait of 0 ms cannot block, so no wake-up can come late: its time is the loop's own,
  // and it goes to the busy span that follows it. Only a wait that may block reads the
  // run-queue time around it (each read is a system call, which a saturated loop would
  // otherwise make twice per wait).
  const bool may_block = wait > std::chrono::milliseconds::zero();
  if (!run_queue_) run_queue_.emplace();
  const std::optional<std::chrono::nanoseconds> queued_before =
      may_block ? run_queue_->read() : std::nullopt;
  const Clock::time_point wait_began = Clock::now();
  lag_.wait_begins(wait_began);
  const int ready = epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()),
                               static_cast<int>(wait.count()));
  if (ready < 0 && errno != EINTR) throw_errno("epoll_wait");
  if (may_block) {
    const Clock::time_point wait_ended = Clock::now();
    const std::optional<std::chrono::nanoseconds> queued_after = run_queue_->read();
    lag_.wait_ended(wait_ended, wait_began + wait, ready == 0,
                    queued_before && queued_after ? *queued_after - *queued_before
                                                  : std::chrono::nanoseconds{});
  } else {
    lag_.wait_ended(wait_began, wait_began, false);
  }
  for (int i = 0; i < ready; ++i) {
    const epoll_event& event = events_[static_cast<std::size_t>(i)];
    if (const auto handler = static_cast<std::uint32_t>(event.data.u64 >> 32); handler != 0) {
      io_handlers_[handler - 1]->on_io(static_cast<int>(event.data.u64 & 0xffffffffU),
                                       event.events);
      continue;
    }
    if (event.data.fd == wakeup_.get()) {
      drain_wakeups();
      continue;
    }
    // A hang-up or error is handed to curl as readable (it reads the EOF or the error);
    // a refused connect shows as writable + error, which curl's connect check reports.
    int action = 0;
    if ((event.events & (EPOLLIN | EPOLLHUP)) != 0) action |= CURL_CSELECT_IN;
    if ((event.events & EPOLLOUT) != 0) action |= CURL_CSELECT_OUT;
    if ((event.events & EPOLLERR) != 0) action |= CURL_CSELECT_ERR;
    act_on_socket(event.data.fd, action);
  }
  if (timeout_at_ && *timeout_at_ <= Clock::now()) act_on_timeout();
}

void CurlMultiLoop::wakeup() {
  const std::uint64_t one = 1;
  // Fails only if the counter would overflow, and then a wakeup is pending anyway.
  (void)!::write(wakeup_.get(), &one, sizeof one);
}

std::uint32_t CurlMultiLoop::add_io_handler(IoHandler& handler) {
  io_handlers_.push_back(&handler);
  return static_cast<std::uint32_t>(io_handlers_.size());
}

int CurlMultiLoop::watch(std::uint32_t id, int fd, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = (std::uint64_t{id} << 32) | static_cast<std::uint32_t>(fd);
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) == 0) return 0;
  if (errno == ENOENT && epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) == 0) return 0;
  return errno;
}

void CurlMultiLoop::unwatch(int fd) { epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

std::vector<CurlMultiLoop::WatchFailure> CurlMultiLoop::take_watch_failures() {
  return std::exchange(watch_failures_, {});
}

std::chrono::milliseconds CurlMultiLoop::wait_for(std::chrono::milliseconds max_wait) const {
  auto wait = std::clamp<std::chrono::milliseconds>(max_wait, std::chrono::milliseconds::zero(),
                                                    std::chrono::milliseconds(INT_MAX));
  if (!timeout_at_) return wait;
  const auto until_timeout = *timeout_at_ - Clock::now();
  if (until_timeout <= Clock::duration::zero()) return std::chrono::milliseconds::zero();
  return std::min(std::chrono::ceil<std::chrono::milliseconds>(until_timeout), wait);
}

void CurlMultiLoop::act_on_socket(curl_socket_t socket, int action) {
  int running = 0;
  // An event for a socket curl has meanwhile closed is ignored by curl (CURLM_OK).
  if (CURLMcode code = curl_multi_socket_action(multi_.get(), socket, action, &running);
      code != CURLM_OK) {
    // Out of memory or an internal curl error: the transfers on this socket still end,
    // at the latest by their own timeouts.
    spdlog::error("curl_multi_socket_action(socket {}) failed: {}", socket,
                  curl_multi_strerror(code));
  }
}

void CurlMultiLoop::act_on_timeout() {
  int running = 0;
  if (CURLMcode code = curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
      code != CURLM_OK) {
    spdlog::error("curl_multi_socket_action(timeout) failed: {}", curl_multi_strerror(code));
  }
}

void CurlMultiLoop::drain_wakeups() {
  std::uint64_t count = 0;
  // Non-blocking: EAGAIN when another drain got there first.
  (void)!::read(wakeup_.get(), &count, sizeof count);
}

// CURLMOPT_SOCKETFUNCTION, called by curl inside add_handle/socket_action/remove_handle on
// the loop thread. `watched` is what curl_multi_assign() stored for this socket: non-null
// once it is in the epoll set. Always returns 0: a -1 would make curl mark the whole multi
// handle dead, so a socket that cannot be watched fails only its own transfer.
int CurlMultiLoop::on_socket(CURL* easy, curl_socket_t socket, int what, void* self,
                             void* watched) {
  auto& loop = *static_cast<CurlMultiLoop*>(self);
  if (what == CURL_POLL_REMOVE) {
    // curl may already have closed the socket, which took it out of the set: ENOENT and
    // EBADF are expected here.
    epoll_ctl(loop.epoll_.get(), EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events =
      ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0u);
  event.data.u64 = static_cast<std::uint32_t>(socket);  // upper half 0: curl's
  int result = epoll_ctl(loop.epoll_.get(), watched != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                         socket, &event);
  // A closed socket leaves the set on its own, and its number may come back for a new one
  // before or after curl told us: fall back to the other operation.
  if (result != 0 && errno == EEXIST) {
    result = epoll_ctl(loop.epoll_.get(), EPOLL_CTL_MOD, socket, &event);
  } else if (result != 0 && errno == ENOENT) {
    result = epoll_ctl(loop.epoll_.get(), EPOLL_CTL_ADD, socket, &event);
  }
  if (result != 0) {
    loop.watch_failures_.push_back(
        {easy, std::string("cannot watch the socket (epoll_ctl): ") + std::strerror(errno)});
    return 0;
  }
  if (watched == nullptr) curl_multi_assign(loop.multi_.get(), socket, &loop);
  return 0;
}

// CURLMOPT_TIMERFUNCTION: curl's next timeout, relative to now; -1 = none. curl calls it
// again whenever that changes, also after a timeout was acted on early.
int CurlMultiLoop::on_timer(CURLM*, long timeout_ms, void* self) {
  auto& loop = *static_cast<CurlMultiLoop*>(self);
  if (timeout_ms < 0) {
    loop.timeout_at_.reset();
  } else {
    loop.timeout_at_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace hc::producer
