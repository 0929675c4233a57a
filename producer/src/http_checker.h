// HTTP(S) checks on libcurl's multi interface: many checks at once on one thread, driven by
// run_once(); no thread per check (curl's resolver may use its own short-lived threads).
// Redirects are followed here, hop by hop, not by curl (redirect_policy.h says which and
// what each hop sends); a check's result is its final hop's, with times counted from the
// start of its first.
// The multi handle runs event-driven (CurlMultiLoop: epoll + curl_multi_socket_action), so
// the cost of a wait grows with the sockets that have activity, not with the checks in
// flight. Easy handles are kept and reused; a check sets every request-dependent option
// afresh, so nothing carries over from the handle's previous check, except that a check of
// the request the handle's previous first hop was set for (sites asked the same way share
// one) sets only its URL.
//
// Thread: everything except wakeup() must be called from one thread (the producer loop);
// completion callbacks run on that thread, inside run_once().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address_policy.h"
#include "check_error.h"
#include "curl_handles.h"
#include "curl_multi_loop.h"
#include "hc/common/config.h"
#include "hc/common/message.h"

namespace hc::producer {

// How an http(s) site is asked, without its URL (HttpChecker::start takes that beside it): the
// sites of one load with equal settings share one request (site_plan.h).
struct CheckRequest {
  SharedText method = "GET";  // GET, HEAD, POST, PUT, OPTIONS
  // Custom headers and basic auth are sent only to the URL's own origin (redirect_policy.h).
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<BasicAuth> basic_auth;
  std::chrono::milliseconds timeout{10000};  // the whole check, redirects included
  bool follow_redirects = false;
  int max_redirects = 5;
  // Ranges a redirect may not connect to beyond link-local (address_policy.h).
  RedirectDeny redirect_deny;
  // Bytes of the body kept in CheckResult::body; 0 keeps none. The whole body is read (and
  // counted) either way: a long page is not an error of the transport.
  std::size_t body_capture_bytes = 0;
  bool capture_headers = false;  // keep the final response's headers in CheckResult::headers
  TlsSettings tls;               // https hops (tls_options.h)
  IpVersion ip_version = IpVersion::kAny;  // CURLOPT_IPRESOLVE of every hop
  // SiteConfig::proxy and no_proxy, for every hop: "" none (the environment's ignored), "env"
  // the environment's, else the proxy URL (secret: may hold a password).
  SharedText proxy;
  SharedText no_proxy;

  bool operator==(const CheckRequest&) const = default;
};

// What the transport saw; whether that is healthy is the verdict's to say (check_verdict.h).
struct CheckResult {
  std::optional<int> status_code;  // set whenever a response arrived
  std::int64_t response_time_us = 0;
  CheckTimings timings;
  std::optional<CheckError> transport_error;  // nullopt: a complete response arrived
  std::string error_detail;                   // curl's message when transport_error is set
  std::string body;                           // the first body_capture_bytes of the body
  bool body_truncated = false;                // the body was longer than what `body` holds
  std::int64_t body_bytes = 0;                // bytes of body received in all
  // The final response's header fields, in order (only with capture_headers).
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<WallTime> cert_expires_at;  // https and tls: the server certificate's notAfter
  // The IP address the check connected to (http: the final hop's), as text ("::1"); nullopt
  // when it connected nowhere.
  std::optional<std::string> address;
  // tls checks (socket_checker.h): what the handshake negotiated and what the chain is.
  std::optional<std::string> tls_version;
  std::optional<std::string> tls_cipher;
  std::optional<bool> chain_valid;
  std::optional<WallTime> chain_expires_at;  // soonest notAfter of the chain sent
  // dns checks (dns_checker.h): the response code and the answers of the type asked for.
  std::optional<std::string> dns_rcode;
  std::vector<std::string> dns_answers;
  // icmp checks (icmp_checker.h): the replies' round trips (absent without replies) and the
  // percent of requests unanswered, rounded up (set once the target's address is known).
  std::optional<std::int64_t> rtt_min_us;
  std::optional<std::int64_t> rtt_avg_us;
  std::optional<std::int64_t> rtt_max_us;
  std::optional<int> loss_percent;
};

class HttpChecker {
 public:
  using Completion = std::function<void(CheckResult&&)>;

  // Throws std::runtime_error if libcurl, epoll or eventfd cannot be set up.
  HttpChecker();
  // Abandons checks still in flight: their completions are never called.
  ~HttpChecker();
  HttpChecker(const HttpChecker&) = delete;
  HttpChecker& operator=(const HttpChecker&) = delete;

  // Starts a check of `url` (http or https; copied) as `request` says; `done` is called
  // exactly once, from a later run_once(). The request is shared so that it outlives the
  // check even if the site is removed meanwhile.
  void start(std::string_view url, std::shared_ptr<const CheckRequest> request, Completion done);

  // Drives transfers: waits up to max_wait for network activity (or wakeup()), then calls
  // the completions of finished checks. Returns how many completed.
  std::size_t run_once(std::chrono::milliseconds max_wait);

  // Makes a blocked run_once() return early. Thread-safe, callable from any thread.
  void wakeup();

  std::size_t in_flight() const { return active_.size(); }

  // Frees the idle easy handles beyond the most checks that were in flight at once since the
  // previous call (or since the checker was made), and starts counting that most anew: the
  // pool shrinks back after a burst, and keeps what a steady load uses. Returns how many
  // were freed. The loop calls it once a period (memory_release.h).
  std::size_t release_idle();
  // Easy handles held, in flight and idle.
  std::size_t handles() const { return active_.size() + idle_.size(); }

  // The event loop run_once() drives; the other check types watch their sockets on it.
  CurlMultiLoop& event_loop() { return loop_; }
  const CurlMultiLoop& event_loop() const { return loop_; }

  // Abandons every check in flight: their completions are never called and their handles
  // go back to the pool. Returns how many were cancelled.
  std::size_t cancel_all();

 private:
  struct Transfer;
  std::unique_ptr<Transfer> take_idle_transfer();
  // Sets every request-dependent option for the transfer's current hop.
  void configure_hop(Transfer& transfer, bool to_site_origin, std::chrono::milliseconds timeout);
  // After a hop ended with a response: if it is a redirect the check follows, starts the next
  // hop (or completes the check when the redirect is refused) and returns true.
  bool follow_redirect_of(Transfer& transfer);
  std::size_t deliver_completions();
  std::size_t fail_unwatchable();
  // Takes the transfer out of the multi handle and active_, back to the idle pool, and
  // calls its completion with result.
  void complete(Transfer& transfer, CheckResult&& result);
  CheckResult finish(Transfer& transfer, CURLcode code);

  CurlGlobal curl_global_;  // first: outlives every curl handle below
  CurlMultiLoop loop_;
  std::vector<std::unique_ptr<Transfer>> active_;  // in flight; Transfer::slot is the index
  // Finished transfers with their easy handles, kept for reuse. Never more than the most
  // checks in flight at once (the scheduler bounds that by max_in_flight) since the last
  // release_idle(), nor than that before it.
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::size_t most_in_flight_ = 0;  // since the last release_idle()
};

}  // namespace hc::producer
