// tcp and tls checks on non-blocking sockets, driven by the check loop's one event loop
// (CurlMultiLoop::IoHandler): no thread and no blocking call per check. Host names are
// looked up by the AsyncResolver on the same loop.
//
// A tcp check connects; then, if the site says so, writes `send` and reads what comes back
// until `expect` matches, the peer closes, max_reply_bytes arrived or the timeout is up (a
// reply cut by the timeout is still a reply: the verdict judges it). A tls check connects
// and does a TLS handshake, and nothing more; the chain is verified but a failed
// verification does not stop the check (chain_valid says it, the verdict judges it).
//
// Thread: one thread (the check loop's) calls everything; completions run on it, inside
// deliver_completions() only (never inside start()).
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "async_resolver.h"
#include "completed_checks.h"
#include "curl_multi_loop.h"
#include "hc/common/config.h"
#include "hc/common/host_port.h"
#include "http_checker.h"
#include "probes_in_flight.h"
#include "regex_matcher.h"

namespace hc::producer {

// What one tcp or tls check does. Immutable, shared by the checks of one site.
struct SocketCheckRequest {
  HostPort target;
  int family = AF_UNSPEC;  // the addresses tried: AF_INET, AF_INET6 or either (ip_version)
  std::chrono::milliseconds timeout{10000};  // the whole check, lookup included
  // tcp: written once connected; then the reply is read when `expect` is set.
  std::string send;
  std::shared_ptr<const RegexMatcher> expect;
  std::size_t max_reply_bytes = std::size_t{1024} * 1024;
  // tls: the handshake's context (trust, client certificate, minimum version); null for tcp.
  std::shared_ptr<SSL_CTX> tls;
  std::string server_name;  // tls: sent in SNI and verified; the target's host by default
};

// An SSL_CTX for tls checks with these settings: the system's trust store or ca_file,
// the client certificate, min_version. Verification is recorded, never enforced in the
// handshake (socket_checker.h). Throws std::runtime_error naming the file that failed.
std::shared_ptr<SSL_CTX> make_tls_check_context(const TlsSettings& tls);

class SocketChecker final : public CurlMultiLoop::IoHandler {
 public:
  using Completion = std::function<void(CheckResult&&)>;

  // REQUIRES: loop and resolver outlive the checker.
  SocketChecker(CurlMultiLoop& loop, AsyncResolver& resolver);
  ~SocketChecker();
  SocketChecker(const SocketChecker&) = delete;
  SocketChecker& operator=(const SocketChecker&) = delete;

  // Starts a check; `done` is called exactly once, from a later deliver_completions(),
  // unless cancel_all() comes first.
  void start(std::shared_ptr<const SocketCheckRequest> request, Completion done);

  // When expire() must next be called (now while completions wait for delivery); nullopt
  // with nothing in flight.
  std::optional<std::chrono::steady_clock::time_point> next_timeout() const;
  // Ends the checks whose timeout is up.
  void expire();

  // Calls the completions of the checks that ended; returns how many.
  std::size_t deliver_completions();

  std::size_t in_flight() const { return probes_.size() + completed_.size(); }
  // Abandons every check in flight: their completions are never called. Returns how many.
  std::size_t cancel_all();

  void on_io(int fd, std::uint32_t events) override;

 private:
  struct Probe;
  void on_resolved(std::uint64_t id, std::variant<ResolvedAddress, std::string>&& address);
  void on_connected(Probe& probe);
  void handshake(Probe& probe);
  void send_some(Probe& probe);
  void read_some(Probe& probe);
  // Watches the probe's socket for `events`; a failure ends the check.
  bool watch(Probe& probe, std::uint32_t events);
  void fail(Probe& probe, CheckError error, std::string detail);
  void finish(Probe& probe);

  CurlMultiLoop& loop_;
  AsyncResolver& resolver_;
  std::uint32_t handler_id_ = 0;
  ProbesInFlight<Probe> probes_;
  std::unordered_map<int, std::uint64_t> by_fd_;
  CompletedChecks completed_;  // ended, not yet delivered
};

}  // namespace hc::producer
