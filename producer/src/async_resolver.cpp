#include "async_resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace hc::producer {
namespace {

std::optional<ResolvedAddress> literal_address(const std::string& host, std::uint16_t port) {
  ResolvedAddress resolved;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&resolved.address);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    resolved.length = sizeof(sockaddr_in);
    return resolved;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&resolved.address);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    resolved.length = sizeof(sockaddr_in6);
    return resolved;
  }
  return std::nullopt;
}

}  // namespace

AsyncResolver::AsyncResolver(CurlMultiLoop& loop) : loop_(loop) {
  if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
    throw std::runtime_error("ares_library_init failed");
  }
  library_ready_ = true;
  ares_options options{};
  options.sock_state_cb = &AsyncResolver::on_socket_state;
  options.sock_state_cb_data = this;
  if (int status = ares_init_options(&channel_, &options, ARES_OPT_SOCK_STATE_CB);
      status != ARES_SUCCESS) {
    ares_library_cleanup();
    throw std::runtime_error(std::string("ares_init_options failed: ") + ares_strerror(status));
  }
  handler_id_ = loop_.add_io_handler(*this);
}

AsyncResolver::~AsyncResolver() {
  pending_.clear();  // ares_destroy calls each callback with ARES_EDESTRUCTION: ignored
  ares_destroy(channel_);
  if (library_ready_) ares_library_cleanup();
}

std::uint64_t AsyncResolver::resolve(const std::string& host, std::uint16_t port, Callback done,
                                     int family) {
  const std::uint64_t id = next_id_++;
  if (auto literal = literal_address(host, port)) {
    if (family != AF_UNSPEC && literal->address.ss_family != family) {
      done(std::string(family == AF_INET ? "an IPv6 address, and ip_version is 4"
                                         : "an IPv4 address, and ip_version is 6"));
    } else {
      done(*literal);
    }
    return id;
  }
  pending_.emplace(id, std::move(done));
  ares_addrinfo_hints hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  // c-ares copies the name; the Pending note is freed by on_result.
  auto* note = new Pending{this, id, port, family};  // NOLINT(cppcoreguidelines-owning-memory)
  ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &AsyncResolver::on_result, note);
  return id;
}

void AsyncResolver::cancel(std::uint64_t id) { pending_.erase(id); }

std::optional<std::chrono::steady_clock::time_point> AsyncResolver::next_timeout() const {
  timeval wait{};
  if (ares_timeout(channel_, nullptr, &wait) == nullptr) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::seconds(wait.tv_sec) +
         std::chrono::microseconds(wait.tv_usec);
}

void AsyncResolver::expire() { ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD); }

void AsyncResolver::on_io(int fd, std::uint32_t events) {
  const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
  const bool writable = (events & EPOLLOUT) != 0;
  ares_process_fd(channel_, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
}

void AsyncResolver::on_socket_state(void* self, ares_socket_t fd, int readable, int writable) {
  auto& resolver = *static_cast<AsyncResolver*>(self);
  if (readable == 0 && writable == 0) {
    resolver.loop_.unwatch(fd);
    return;
  }
  const std::uint32_t events = (readable != 0 ? EPOLLIN : 0U) | (writable != 0 ? EPOLLOUT : 0U);
  // A socket that cannot be watched makes its queries time out (c-ares's own timeout).
  resolver.loop_.watch(resolver.handler_id_, fd, events);
}

void AsyncResolver::on_result(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<Pending> note(static_cast<Pending*>(arg));
  std::unique_ptr<ares_addrinfo, decltype(&ares_freeaddrinfo)> info(result, &ares_freeaddrinfo);
  if (status == ARES_EDESTRUCTION) return;
  auto found = note->resolver->pending_.find(note->id);
  if (found == note->resolver->pending_.end()) return;  // cancelled
  Callback done = std::move(found->second);
  note->resolver->pending_.erase(found);
  if (status != ARES_SUCCESS) {
    done(std::string(ares_strerror(status)));
    return;
  }
  // IPv4 first: the address a plain client (and curl's default) would try first on most hosts.
  // Only the family asked for, if one was.
  const ares_addrinfo_node* chosen = nullptr;
  for (const ares_addrinfo_node* node = info ? info->nodes : nullptr; node; node = node->ai_next) {
    if (note->family != AF_UNSPEC && node->ai_family != note->family) continue;
    if (node->ai_family == AF_INET) {
      chosen = node;
      break;
    }
    if (chosen == nullptr && node->ai_family == AF_INET6) chosen = node;
  }
  if (chosen == nullptr || chosen->ai_addrlen > sizeof(sockaddr_storage)) {
    done(std::string(note->family == AF_INET    ? "no IPv4 address for the host"
                     : note->family == AF_INET6 ? "no IPv6 address for the host"
                                                : "no address for the host"));
    return;
  }
  ResolvedAddress resolved;
  std::memcpy(&resolved.address, chosen->ai_addr, chosen->ai_addrlen);
  resolved.length = static_cast<socklen_t>(chosen->ai_addrlen);
  if (chosen->ai_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&resolved.address)->sin_port = htons(note->port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&resolved.address)->sin6_port = htons(note->port);
  }
  done(resolved);
}

}  // namespace hc::producer
