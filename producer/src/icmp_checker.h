// icmp checks: `count` ICMP echo requests `interval` apart to the host's IPv4 address, the
// replies' round-trip times (min, mean, max) and the loss, on the check loop's one event loop
// (CurlMultiLoop::IoHandler): no thread, no blocking call and no sleep per check. Host names are
// looked up by the AsyncResolver on the same loop.
//
// One ICMP socket per checker (hc/common/icmp_socket.h chooses datagram or raw), opened at the
// first icmp check and kept; every icmp check of the loop shares it, told apart by sequence
// number, cookie and serial (icmp_echo.h), so a storm of ICMP costs one socket's reads, not one
// per check. A turn of the loop reads at most kMaxPacketsPerTurn packets: the other checks of
// the loop still get their turns while the socket is flooded.
//
// A check ends when every request is answered or at its timeout; a request unanswered by then
// is lost. No reply at all is the transport error "timeout" ("connect" when no request could be
// sent); otherwise the verdict judges the loss (max_loss_percent) and the mean round trip
// (max_response_time_ms).
//
// Thread: one thread (the check loop's) calls everything; completions run on it, inside
// deliver_completions() only (never inside start()).
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "async_resolver.h"
#include "completed_checks.h"
#include "curl_multi_loop.h"
#include "hc/common/icmp_socket.h"
#include "hc/producer/icmp_echo.h"
#include "http_checker.h"
#include "probes_in_flight.h"
#include "unique_fd.h"

namespace hc::producer {

// What one icmp check does. Immutable, shared by the checks of one site.
struct IcmpCheckRequest {
  std::string host;  // a name or an IPv4 literal
  int count = 3;     // echo requests, >= 1
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{10000};  // the whole check, lookup included
};

class IcmpChecker final : public CurlMultiLoop::IoHandler {
 public:
  using Completion = std::function<void(CheckResult&&)>;
  static constexpr std::size_t kMaxPacketsPerTurn = 256;

  // REQUIRES: loop and resolver outlive the checker. open_socket: ::socket in production.
  IcmpChecker(CurlMultiLoop& loop, AsyncResolver& resolver,
              SocketOpener open_socket = system_socket_opener());
  ~IcmpChecker();
  IcmpChecker(const IcmpChecker&) = delete;
  IcmpChecker& operator=(const IcmpChecker&) = delete;

  // Starts a check; `done` is called exactly once, from a later deliver_completions(),
  // unless cancel_all() comes first.
  void start(std::shared_ptr<const IcmpCheckRequest> request, Completion done);

  // When expire() must next be called (a request due, a timeout; now while completions wait);
  // nullopt with nothing in flight.
  std::optional<std::chrono::steady_clock::time_point> next_timeout() const;
  // Sends the requests that are due and ends the checks whose timeout is up.
  void expire();
  std::size_t deliver_completions();
  std::size_t in_flight() const { return probes_.size() + completed_.size(); }
  // Abandons every check in flight: their completions are never called. Returns how many.
  std::size_t cancel_all();

  // The socket's kind once opened (tests: which path ran).
  std::optional<IcmpSocketKind> socket_kind() const { return kind_; }

  void on_io(int fd, std::uint32_t events) override;

 private:
  struct Probe;
  using Clock = std::chrono::steady_clock;
  // Opens the shared socket if it is not open; false (with why) when it cannot be.
  bool ensure_socket(std::string& problem);
  void on_resolved(std::uint64_t id, std::variant<ResolvedAddress, std::string>&& address);
  void send_next(Probe& probe);
  void read_replies();
  void fail(Probe& probe, CheckError error, std::string detail);
  void finish(Probe& probe);

  CurlMultiLoop& loop_;
  AsyncResolver& resolver_;
  SocketOpener open_socket_;
  std::uint32_t handler_id_ = 0;
  UniqueFd socket_;
  std::optional<IcmpSocketKind> kind_;
  EchoBook book_;
  ProbesInFlight<Probe> probes_;
  std::multimap<Clock::time_point, std::uint64_t> sends_;  // the next request of each check
  CompletedChecks completed_;                              // ended, not yet delivered
};

}  // namespace hc::producer
