#include "socket_checker.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "unique_fd.h"

namespace hc::producer {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

std::int64_t micros_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
}

// The reasons in OpenSSL's error queue of this thread, which is then empty.
std::string take_ssl_errors(std::string_view fallback) {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!text.empty()) text += "; ";
    text += buffer.data();
  }
  return text.empty() ? std::string(fallback) : text;
}

std::optional<WallTime> not_after(const X509* certificate) {
  const ASN1_TIME* time = X509_get0_notAfter(certificate);
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return std::nullopt;
  return WallTime(std::chrono::seconds(timegm(&parts)));
}

bool is_ip_literal(const std::string& host) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

}  // namespace

std::shared_ptr<SSL_CTX> make_tls_check_context(const TlsSettings& tls) {
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!context) throw std::runtime_error("SSL_CTX_new failed: " + take_ssl_errors("no reason"));
  SSL_CTX* ctx = context.get();
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  const bool trust_loaded =
      tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                          : SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr) == 1;
  if (!trust_loaded) {
    throw std::runtime_error("cannot load the trusted certificates" +
                             (tls.ca_file.empty() ? std::string() : " of " + tls.ca_file.str()) +
                             ": " + take_ssl_errors("no reason"));
  }
  if (!tls.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    throw std::runtime_error("cannot load the client certificate " + tls.cert_file.str() + ": " +
                             take_ssl_errors("no reason"));
  }
  if (tls.min_version != 0) {
    SSL_CTX_set_min_proto_version(ctx, tls.min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  }
  return context;
}

enum class ProbeState { kResolving, kConnecting, kHandshaking, kSending, kReading };

struct SocketChecker::Probe {
  std::uint64_t id = 0;
  std::shared_ptr<const SocketCheckRequest> request;
  Completion done;
  SteadyClock::time_point started;
  std::uint64_t lookup = 0;
  ProbeState state = ProbeState::kResolving;
  UniqueFd fd;
  SslPtr ssl;  // declared after fd: freed before the socket closes
  std::size_t sent = 0;
  CheckResult result;
};

SocketChecker::SocketChecker(CurlMultiLoop& loop, AsyncResolver& resolver)
    : loop_(loop), resolver_(resolver), handler_id_(loop.add_io_handler(*this)) {}

SocketChecker::~SocketChecker() { cancel_all(); }

void SocketChecker::start(std::shared_ptr<const SocketCheckRequest> request, Completion done) {
  const SteadyClock::time_point now = SteadyClock::now();
  Probe& added = probes_.add(now + request->timeout);
  added.request = std::move(request);
  added.done = std::move(done);
  added.started = now;
  const std::uint64_t id = added.id;
  // May call back at once (an IP literal, a name in /etc/hosts), and that callback may end the
  // probe (a literal of the wrong family, a connection refused at once): the probe is
  // registered before, and looked up again after, never used through `added`.
  const std::uint64_t lookup = resolver_.resolve(
      added.request->target.host, added.request->target.port,
      [this, id](std::variant<ResolvedAddress, std::string>&& address) {
        on_resolved(id, std::move(address));
      },
      added.request->family);
  if (Probe* still = probes_.find(id)) still->lookup = lookup;
}

std::optional<SteadyClock::time_point> SocketChecker::next_timeout() const {
  if (!completed_.empty()) return SteadyClock::now();
  return probes_.next_deadline();
}

void SocketChecker::expire() {
  const SteadyClock::time_point now = SteadyClock::now();
  while (Probe* expired = probes_.first_expired(now)) {
    Probe& probe = *expired;  // ended below: each turn takes one probe out
    if (probe.state == ProbeState::kReading) {
      finish(probe);  // the reply so far is the reply: the verdict judges it
    } else {
      fail(probe, CheckError::kTimeout,
           "timed out after " + std::to_string(probe.request->timeout.count()) + " ms");
    }
  }
}

std::size_t SocketChecker::deliver_completions() { return completed_.deliver(); }

std::size_t SocketChecker::cancel_all() {
  const std::size_t cancelled = in_flight();
  completed_.clear();
  probes_.for_each([this](const Probe& probe) {
    if (probe.state == ProbeState::kResolving) resolver_.cancel(probe.lookup);
  });
  probes_.clear();  // closing a socket takes it out of the epoll set
  by_fd_.clear();
  return cancelled;
}

void SocketChecker::on_resolved(std::uint64_t id,
                                std::variant<ResolvedAddress, std::string>&& address) {
  Probe* found = probes_.find(id);
  if (found == nullptr) return;
  Probe& probe = *found;
  if (auto* problem = std::get_if<std::string>(&address)) {
    fail(probe, CheckError::kDns, "cannot resolve " + probe.request->target.host + ": " + *problem);
    return;
  }
  probe.result.timings.dns_us = micros_since(probe.started);
  const ResolvedAddress& target = std::get<ResolvedAddress>(address);
  probe.result.address = address_text(*reinterpret_cast<const sockaddr*>(&target.address));
  probe.fd.reset(::socket(target.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe.fd) {
    fail(probe, CheckError::kInternal, std::string("socket: ") + std::strerror(errno));
    return;
  }
  by_fd_[probe.fd.get()] = id;
  probe.state = ProbeState::kConnecting;
  if (::connect(probe.fd.get(), reinterpret_cast<const sockaddr*>(&target.address),
                target.length) == 0) {
    on_connected(probe);
  } else if (errno == EINPROGRESS) {
    watch(probe, EPOLLOUT);
  } else {
    fail(probe, CheckError::kConnect, std::string("connect: ") + std::strerror(errno));
  }
}

void SocketChecker::on_io(int fd, std::uint32_t events) {
  auto found = by_fd_.find(fd);
  if (found == by_fd_.end()) return;  // ended earlier in this turn of the loop
  Probe& probe = *probes_.find(found->second);
  switch (probe.state) {
    case ProbeState::kResolving:
      break;
    case ProbeState::kConnecting: {
      int error = 0;
      socklen_t length = sizeof error;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      if (error != 0) {
        fail(probe, CheckError::kConnect, std::string("connect: ") + std::strerror(error));
      } else if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
        on_connected(probe);
      }
      break;
    }
    case ProbeState::kHandshaking:
      handshake(probe);
      break;
    case ProbeState::kSending:
      send_some(probe);
      break;
    case ProbeState::kReading:
      read_some(probe);
      break;
  }
}

void SocketChecker::on_connected(Probe& probe) {
  probe.result.timings.connect_us = micros_since(probe.started);
  const SocketCheckRequest& request = *probe.request;
  if (request.tls) {
    probe.ssl.reset(SSL_new(request.tls.get()));
    if (!probe.ssl || SSL_set_fd(probe.ssl.get(), probe.fd.get()) != 1) {
      fail(probe, CheckError::kInternal, take_ssl_errors("SSL_new failed"));
      return;
    }
    const std::string& name =
        request.server_name.empty() ? request.target.host : request.server_name;
    SSL* ssl = probe.ssl.get();
    SSL_set_connect_state(ssl);
    if (is_ip_literal(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    }
    probe.state = ProbeState::kHandshaking;
    handshake(probe);
  } else if (!request.send.empty()) {
    probe.state = ProbeState::kSending;
    send_some(probe);
  } else if (request.expect) {
    probe.state = ProbeState::kReading;
    watch(probe, EPOLLIN);
  } else {
    finish(probe);
  }
}

void SocketChecker::handshake(Probe& probe) {
  SSL* ssl = probe.ssl.get();
  ERR_clear_error();
  const int done = SSL_do_handshake(ssl);
  if (done != 1) {
    const int reason = SSL_get_error(ssl, done);
    if (reason == SSL_ERROR_WANT_READ) {
      watch(probe, EPOLLIN);
    } else if (reason == SSL_ERROR_WANT_WRITE) {
      watch(probe, EPOLLOUT);
    } else {
      fail(probe, CheckError::kTls,
           "TLS handshake: " + take_ssl_errors(reason == SSL_ERROR_SYSCALL
                                                   ? "connection closed by the peer"
                                                   : "failed"));
    }
    return;
  }
  CheckResult& result = probe.result;
  result.timings.tls_us = micros_since(probe.started);
  result.tls_version = SSL_get_version(ssl);
  result.tls_cipher = SSL_get_cipher_name(ssl);
  X509* leaf = SSL_get1_peer_certificate(ssl);
  result.chain_valid = leaf != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
  if (leaf != nullptr) {
    result.cert_expires_at = not_after(leaf);
    X509_free(leaf);
  }
  if (const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      const std::optional<WallTime> expires = not_after(sk_X509_value(chain, i));
      if (expires && (!result.chain_expires_at || *expires < *result.chain_expires_at)) {
        result.chain_expires_at = expires;
      }
    }
  }
  finish(probe);
}

void SocketChecker::send_some(Probe& probe) {
  const std::string& bytes = probe.request->send;
  while (probe.sent < bytes.size()) {
    const ssize_t written =
        ::send(probe.fd.get(), bytes.data() + probe.sent, bytes.size() - probe.sent, MSG_NOSIGNAL);
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(probe, EPOLLOUT);
      return;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      fail(probe, CheckError::kConnect, std::string("send: ") + std::strerror(errno));
      return;
    }
    probe.sent += static_cast<std::size_t>(written);
  }
  if (probe.request->expect) {
    probe.state = ProbeState::kReading;
    watch(probe, EPOLLIN);
  } else {
    finish(probe);
  }
}

void SocketChecker::read_some(Probe& probe) {
  CheckResult& result = probe.result;
  const std::size_t cap = probe.request->max_reply_bytes;
  std::array<char, 16384> buffer{};
  while (true) {
    const ssize_t got = ::recv(probe.fd.get(), buffer.data(), buffer.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (got < 0 && result.body_bytes == 0) {
      fail(probe, CheckError::kConnect, std::string("recv: ") + std::strerror(errno));
      return;
    }
    if (got <= 0) {  // the peer closed (or reset after it said something): that is the reply
      finish(probe);
      return;
    }
    result.body_bytes += got;
    const std::size_t keep = std::min(static_cast<std::size_t>(got), cap - result.body.size());
    result.body.append(buffer.data(), keep);
    if (keep < static_cast<std::size_t>(got) || result.body.size() >= cap) {
      result.body_truncated = keep < static_cast<std::size_t>(got);
      finish(probe);
      return;
    }
  }
  // Stop as soon as the reply says what was expected: a banner server need not close.
  if (probe.request->expect->search(result.body)) finish(probe);
}

bool SocketChecker::watch(Probe& probe, std::uint32_t events) {
  if (const int error = loop_.watch(handler_id_, probe.fd.get(), events); error != 0) {
    fail(probe, CheckError::kInternal,
         std::string("cannot watch the socket (epoll_ctl): ") + std::strerror(error));
    return false;
  }
  return true;
}

void SocketChecker::fail(Probe& probe, CheckError error, std::string detail) {
  probe.result.transport_error = error;
  probe.result.error_detail = std::move(detail);
  finish(probe);
}

void SocketChecker::finish(Probe& probe) {
  probe.result.response_time_us = micros_since(probe.started);
  if (probe.state == ProbeState::kResolving) resolver_.cancel(probe.lookup);
  if (probe.fd) by_fd_.erase(probe.fd.get());
  const std::unique_ptr<Probe> owned = probes_.take(probe.id);
  completed_.add(std::move(owned->done), std::move(owned->result));
  // Destroying the probe closes its socket, which leaves the epoll set.
}

}  // namespace hc::producer
