// Plain TCP servers on loopback for the tcp and tls checks' tests: a banner server, a
// silent one, one that sends garbage; one serving connections at once and counting them
// (per-host limits, proxies, address families); and a port nothing listens on.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hc::test {

// Accepts connections on 127.0.0.1 and hands each to `serve` (on the server's thread, one
// connection at a time); the connection is closed when serve returns.
class TcpServer {
 public:
  explicit TcpServer(std::function<void(int)> serve) : serve_(std::move(serve)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int connection = ::accept(listener_, nullptr, nullptr);
        if (connection < 0 || stopping_) {
          if (connection >= 0) ::close(connection);
          return;
        }
        serve_(connection);
        ::close(connection);
      }
    });
  }
  ~TcpServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;
  int port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Accepts connections on `address` (127.0.0.1 or ::1 only) and serves each on its own
// thread at once, counting how many are open together. `serve` runs on the connection's
// thread; the connection is closed when it returns, and counted as closed just before
// (call close_count() inside serve to stop counting it earlier, e.g. before the reply that
// lets the client go on).
class ConcurrentTcpServer {
 public:
  explicit ConcurrentTcpServer(std::function<void(int, ConcurrentTcpServer&)> serve,
                               const std::string& address = "127.0.0.1")
      : serve_(std::move(serve)) {
    const bool v6 = address.find(':') != std::string::npos;
    listener_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr);
      const int only = 1;
      ::setsockopt(listener_, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
      length = sizeof(sockaddr_in6);
    } else {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
      in4->sin_family = AF_INET;
      ::inet_pton(AF_INET, address.c_str(), &in4->sin_addr);
      length = sizeof(sockaddr_in);
    }
    auto* any = reinterpret_cast<sockaddr*>(&storage);
    if (::bind(listener_, any, length) != 0 || ::listen(listener_, 128) != 0 ||
        ::getsockname(listener_, any, &length) != 0) {
      ::close(listener_);
      throw std::runtime_error("cannot listen on " + address);
    }
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (connection < 0 || stopping_) {
          if (connection >= 0) ::close(connection);
          return;
        }
        accepted_.fetch_add(1);
        const std::size_t open = open_.fetch_add(1) + 1;
        std::size_t peak = peak_.load();
        while (open > peak && !peak_.compare_exchange_weak(peak, open)) {
        }
        connections_.emplace_back([this, connection] {
          bool counted = true;
          closing_ = &counted;
          serve_(connection, *this);
          if (counted) open_.fetch_sub(1);
          ::close(connection);
        });
      }
    });
  }
  ~ConcurrentTcpServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    for (std::thread& connection : connections_) connection.join();
    ::close(listener_);
  }
  ConcurrentTcpServer(const ConcurrentTcpServer&) = delete;
  ConcurrentTcpServer& operator=(const ConcurrentTcpServer&) = delete;

  int port() const { return port_; }
  std::size_t accepted() const { return accepted_.load(); }
  // The most connections open at once so far.
  std::size_t peak() const { return peak_.load(); }
  // Inside serve: this connection no longer counts as open.
  void close_count() {
    if (closing_ != nullptr && *closing_) {
      *closing_ = false;
      open_.fetch_sub(1);
    }
  }

 private:
  std::function<void(int, ConcurrentTcpServer&)> serve_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> peak_{0};
  static inline thread_local bool* closing_ = nullptr;  // the serving thread's `counted`
  std::vector<std::thread> connections_;  // touched by the accepting thread, then joined
  std::thread thread_;
};

inline void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads a request's head: up to and including the blank line after its headers, or `limit`
// bytes, whichever comes first. nullopt when the peer closes (or errs) before either.
inline std::optional<std::string> read_request_head(int fd, std::size_t limit = 16384) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < limit) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  return head;
}

// Waits until the peer closes (or `limit` passes): a server that holds the connection open.
inline void hold_open(int fd, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  timeval timeout{static_cast<time_t>(limit.count() / 1000),
                  static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte = 0;
  while (::recv(fd, &byte, 1, 0) > 0) {
  }
}

// A port nothing listens on: bound, then closed.
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace hc::test
