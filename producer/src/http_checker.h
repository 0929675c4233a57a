// HTTP(S) checks on libcurl's multi interface: many checks at once on one thread, driven by
// run_once(); no thread per check (curl's resolver may use its own short-lived threads).
// The multi handle runs event-driven (CurlMultiLoop: epoll + curl_multi_socket_action), so
// the cost of a wait grows with the sockets that have activity, not with the checks in
// flight. Easy handles are kept and reused; a check sets every request-dependent option
// afresh, so nothing carries over from the handle's previous check.
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
#include <utility>
#include <vector>

#include "check_error.h"
#include "curl_handles.h"
#include "curl_multi_loop.h"
#include "hc/common/message.h"

namespace hc::producer {

struct CheckRequest {
  std::string url;
  std::string method = "GET";  // GET, HEAD, POST, PUT, OPTIONS
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};  // the whole check, redirects included
  bool follow_redirects = false;
  int max_redirects = 5;
  std::vector<int> expected_status;  // empty: any 2xx or 3xx
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::string ca_file;  // PEM bundle to trust instead of the system's (tests); empty = system
};

struct CheckResult {
  std::optional<int> status_code;  // set whenever a response arrived, even if unexpected
  std::int64_t response_time_us = 0;
  CheckTimings timings;
  std::optional<CheckError> error;          // nullopt = up
  std::string error_detail;                 // curl's message, or "HTTP 500" for unexpected_status
  std::string body;                         // the first max_body_bytes of the body
  std::int64_t body_bytes = 0;              // bytes received (stops at the cap)
  std::optional<WallTime> cert_expires_at;  // https: the server certificate's notAfter
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

  // Starts a check; `done` is called exactly once, from a later run_once(). The request is
  // shared so that it outlives the check even if the site is removed meanwhile.
  void start(std::shared_ptr<const CheckRequest> request, Completion done);

  // Drives transfers: waits up to max_wait for network activity (or wakeup()), then calls
  // the completions of finished checks. Returns how many completed.
  std::size_t run_once(std::chrono::milliseconds max_wait);

  // Makes a blocked run_once() return early. Thread-safe, callable from any thread.
  void wakeup();

  std::size_t in_flight() const { return active_.size(); }

 private:
  struct Transfer;
  std::unique_ptr<Transfer> take_idle_transfer();
  void configure(Transfer& transfer);
  std::size_t deliver_completions();
  std::size_t fail_unwatchable();
  // Takes the transfer out of the multi handle and active_, back to the idle pool, and
  // calls its completion with result.
  void complete(Transfer& transfer, CheckResult&& result);
  CheckResult finish(Transfer& transfer, CURLcode code);

  CurlGlobal curl_global_;  // first: outlives every curl handle below
  CurlMultiLoop loop_;
  std::vector<std::unique_ptr<Transfer>> active_;  // in flight; Transfer::slot is the index
  // Finished transfers with their easy handles, kept for reuse. Never more than the peak
  // number of checks in flight (the scheduler bounds that by max_in_flight).
  std::vector<std::unique_ptr<Transfer>> idle_;
};

}  // namespace hc::producer
