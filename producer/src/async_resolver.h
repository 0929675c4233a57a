// Host name lookups for the socket checks (tcp, tls) through c-ares, on the check loop's
// own epoll set (CurlMultiLoop::IoHandler): no thread and no blocking call per lookup.
// c-ares reads /etc/hosts and /etc/resolv.conf as the system's resolver does. An IP literal
// is answered at once, without c-ares.
//
// Thread: one thread (the check loop's) calls everything; callbacks run on it, inside
// resolve() (IP literals), CurlMultiLoop::run() or expire().
#pragma once

#include <ares.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "curl_multi_loop.h"

namespace hc::producer {

struct ResolvedAddress {
  sockaddr_storage address{};  // with the port set
  socklen_t length = 0;
};

class AsyncResolver final : public CurlMultiLoop::IoHandler {
 public:
  // An address, or why there is none (c-ares's message).
  using Callback = std::function<void(std::variant<ResolvedAddress, std::string>&&)>;

  // REQUIRES: loop outlives the resolver. Throws std::runtime_error if c-ares cannot start.
  explicit AsyncResolver(CurlMultiLoop& loop);
  // Lookups still pending are dropped: their callbacks are never called.
  ~AsyncResolver();
  AsyncResolver(const AsyncResolver&) = delete;
  AsyncResolver& operator=(const AsyncResolver&) = delete;

  // Looks up host's addresses of `family` (AF_INET, AF_INET6, or AF_UNSPEC: IPv4 first, then
  // IPv6) and calls done exactly once, unless cancel(id) or the destructor comes first. An IP
  // literal of the other family is an error. Returns an id for cancel().
  std::uint64_t resolve(const std::string& host, std::uint16_t port, Callback done,
                        int family = AF_UNSPEC);
  // Drops a pending lookup: its callback is not called. Unknown ids are ignored.
  void cancel(std::uint64_t id);

  // When expire() must next be called; nullopt when nothing is pending.
  std::optional<std::chrono::steady_clock::time_point> next_timeout() const;
  // Lets c-ares retry or fail queries whose time is up.
  void expire();

  void on_io(int fd, std::uint32_t events) override;

 private:
  static void on_socket_state(void* self, ares_socket_t fd, int readable, int writable);
  static void on_result(void* arg, int status, int timeouts, ares_addrinfo* result);

  CurlMultiLoop& loop_;
  std::uint32_t handler_id_ = 0;
  struct Pending {
    AsyncResolver* resolver;
    std::uint64_t id;
    std::uint16_t port;
    int family;
  };
  std::unordered_map<std::uint64_t, Callback> pending_;
  std::uint64_t next_id_ = 1;
  bool library_ready_ = false;
  ares_channel channel_ = nullptr;  // owned: ares_destroy in the destructor
};

}  // namespace hc::producer
