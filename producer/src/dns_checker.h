// dns checks through c-ares on the check loop's one event loop (CurlMultiLoop::IoHandler):
// one query per check, no thread and no blocking call. A site naming a server gets a c-ares
// channel for that server alone (shared by the sites naming it); dns:///NAME uses a channel
// of the system's resolvers (/etc/resolv.conf). The answer is parsed here, bounds-checked, to
// the response code and the answers of the type asked for.
//
// Thread: one thread (the check loop's) calls everything; completions run on it, inside
// deliver_completions() only.
#pragma once

#include <ares.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "completed_checks.h"
#include "curl_multi_loop.h"
#include "hc/common/dns_target.h"
#include "http_checker.h"
#include "probes_in_flight.h"

namespace hc::producer {

struct DnsCheckRequest {
  DnsTarget target;
  std::chrono::milliseconds timeout{10000};
};

// What a DNS answer holds: its rcode and the answers of `record_type` as text. nullopt when
// `answer` is not a DNS message (too short, a record running past its end). Pure.
struct DnsAnswer {
  std::string rcode;  // "NOERROR", "NXDOMAIN", ... or "RCODE<n>"
  std::vector<std::string> answers;
};
std::optional<DnsAnswer> parse_dns_answer(const unsigned char* answer, int length,
                                          const std::string& record_type);

class DnsChecker final : public CurlMultiLoop::IoHandler {
 public:
  using Completion = std::function<void(CheckResult&&)>;

  // REQUIRES: loop outlives the checker.
  explicit DnsChecker(CurlMultiLoop& loop);
  // Checks in flight are abandoned: their completions are never called.
  ~DnsChecker();
  DnsChecker(const DnsChecker&) = delete;
  DnsChecker& operator=(const DnsChecker&) = delete;

  // Starts a check; `done` is called exactly once, from a later deliver_completions(), unless
  // cancel_all() comes first.
  void start(std::shared_ptr<const DnsCheckRequest> request, Completion done);

  // When expire() must next be called; nullopt with nothing in flight.
  std::optional<std::chrono::steady_clock::time_point> next_timeout() const;
  // Lets c-ares retry; ends the checks whose timeout is up.
  void expire();
  std::size_t deliver_completions();
  std::size_t in_flight() const { return queries_.size() + completed_.size(); }
  std::size_t cancel_all();

  void on_io(int fd, std::uint32_t events) override;

 private:
  struct Query;
  struct Channel;
  Channel& channel_for(const std::optional<HostPort>& server);
  static void on_socket_state(void* channel, ares_socket_t fd, int readable, int writable);
  static void on_answer(void* note, int status, int timeouts, unsigned char* answer, int length);
  void finish(std::uint64_t id, CheckResult&& result);

  CurlMultiLoop& loop_;
  std::uint32_t handler_id_ = 0;
  bool library_ready_ = false;
  // By "host:port" ("" = the system's resolvers). Channels live as long as the checker.
  std::map<std::string, std::unique_ptr<Channel>> channels_;
  std::unordered_map<int, ares_channel> channel_of_fd_;
  ProbesInFlight<Query> queries_;
  CompletedChecks completed_;  // ended, not yet delivered
};

}  // namespace hc::producer
