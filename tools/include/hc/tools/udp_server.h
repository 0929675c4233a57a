// A UDP server on 127.0.0.1 for local fixtures: hc-demo-sites' DNS answers and the tests' DNS
// servers that answer garbage or nothing. One thread serves the socket until destruction.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace hc::tools {

class UdpServer {
 public:
  // `answer` turns each datagram into the reply (nullopt: no reply). `port` 0 takes a free
  // one (see port()). Throws std::runtime_error naming the port if it cannot listen.
  explicit UdpServer(std::function<std::optional<std::string>(const std::string&)> answer,
                     std::uint16_t port = 0)
      : answer_(std::move(answer)), fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    timeval tick{0, 100'000};  // how often the thread looks at stopping_
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick) != 0) {
      const int error = errno;
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("cannot listen on UDP 127.0.0.1:" + std::to_string(port) + ": " +
                               std::strerror(error));
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~UdpServer() {
    stopping_ = true;
    thread_.join();
    ::close(fd_);
  }
  UdpServer(const UdpServer&) = delete;
  UdpServer& operator=(const UdpServer&) = delete;

  int port() const { return port_; }

 private:
  void serve() {
    std::array<char, 1500> buffer{};
    while (!stopping_) {
      sockaddr_in peer{};
      socklen_t peer_length = sizeof peer;
      const ssize_t got = ::recvfrom(fd_, buffer.data(), buffer.size(), 0,
                                     reinterpret_cast<sockaddr*>(&peer), &peer_length);
      if (got <= 0) continue;
      if (auto reply = answer_(std::string(buffer.data(), static_cast<std::size_t>(got)))) {
        ::sendto(fd_, reply->data(), reply->size(), 0, reinterpret_cast<sockaddr*>(&peer),
                 peer_length);
      }
    }
  }

  std::function<std::optional<std::string>(const std::string&)> answer_;
  int fd_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace hc::tools
