// Runs the checks of every type for one check loop, on one thread and one epoll set: http(s)
// through the HttpChecker (libcurl), tcp and tls through the SocketChecker (host lookups
// through the AsyncResolver), dns through the DnsChecker (c-ares), icmp through the IcmpChecker.
// The type is dispatched once per check, in start(); the HTTP path is otherwise what it is without
// the other types.
//
// Thread: everything except wakeup() from one thread (the check loop's); completions run on
// it, inside run_once().
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "async_resolver.h"
#include "checker.h"
#include "dns_checker.h"
#include "http_checker.h"
#include "icmp_checker.h"
#include "socket_checker.h"

namespace hc::producer {

struct SitePlan;

class CheckRunner final : public Checker {
 public:
  // Throws std::runtime_error if libcurl, c-ares, epoll or eventfd cannot be set up.
  // open_socket: how the icmp checks open their ICMP socket (::socket in production).
  explicit CheckRunner(SocketOpener open_socket = system_socket_opener());
  CheckRunner(const CheckRunner&) = delete;
  CheckRunner& operator=(const CheckRunner&) = delete;

  // Starts one check of the site; `done` is called exactly once unless cancel_all() comes
  // first. The plan is shared so that it outlives the check even if the site is removed.
  void start(const std::shared_ptr<const SitePlan>& plan, Completion done) override;

  // Waits up to max_wait for activity (or wakeup()), then completes what finished or timed
  // out. Returns how many completed.
  std::size_t run_once(std::chrono::milliseconds max_wait) override;

  // Makes a blocked run_once() return early. Thread-safe.
  void wakeup() override { http_.wakeup(); }

  std::size_t in_flight() const override {
    return http_.in_flight() + sockets_.in_flight() + dns_.in_flight() + icmp_.in_flight();
  }
  // Abandons every check in flight; returns how many.
  std::size_t cancel_all() override;
  const LoopLag& loop_lag() const override { return http_.event_loop().lag(); }
  // The http checks' idle easy handles (the other check types keep nothing between checks).
  void release_idle() override { http_.release_idle(); }

 private:
  HttpChecker http_;  // first: owns the event loop the others watch their sockets on
  AsyncResolver resolver_;
  SocketChecker sockets_;  // after resolver_: destroyed first, cancelling its lookups
  DnsChecker dns_;
  IcmpChecker icmp_;  // after resolver_: destroyed first, cancelling its lookups
};

}  // namespace hc::producer
