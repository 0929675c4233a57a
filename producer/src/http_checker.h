// HTTP(S) checks on libcurl's multi interface: many checks at once on one thread, driven by
// run_once(); no thread per check (curl's resolver may use its own short-lived threads).
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
#include <unordered_map>
#include <utility>
#include <vector>

#include "check_error.h"
#include "curl_handles.h"
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
  std::size_t max_body_bytes = 1024 * 1024;
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

  std::size_t in_flight() const { return transfers_.size(); }

 private:
  struct Transfer;
  void configure(Transfer& transfer);
  std::size_t deliver_completions();
  CheckResult finish(Transfer& transfer, CURLcode code);

  CurlMulti multi_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<CurlEasy> idle_handles_;  // reset easy handles kept for reuse
};

}  // namespace hc::producer
