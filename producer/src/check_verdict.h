// The one place that decides whether a check passed: a pure function from what the transport
// saw (CheckResult) and the site's conditions to a Verdict, like blackbox_exporter's single
// `success`. The HTTP transport only transports; it never judges a status or a body.
//
// Rules, in this order (failed_conditions lists the failures in the same order):
//   - A transport error (timeout, dns, connect, tls, http, internal) makes the check unhealthy
//     with that error; no condition is evaluated, not even on a partial body.
//   - Otherwise every condition is evaluated on the response:
//       status         http only: the status is in expected_status (default 200..399); a
//                      failure also sets error "unexpected_status" (as in message v1)
//       response_time  response_time_us <= max_response_time_us
//       cert_days      https and tls only: whole days from measured_at to the notAfter of
//                      the leaf certificate (https) or of the soonest-expiring certificate
//                      of the chain (tls) >= min_cert_days (no certificate seen: failed)
//       chain          tls only, unless insecure_skip_verify: the chain verified (trust
//                      and name)
//       loss           icmp only: loss_percent <= max_loss_percent (the percent of echo
//                      requests unanswered; response_time is then the mean round trip)
//       rcode          dns only: the response code is NOERROR
//       expected       dns only: the answers are expected_answers (in any order), or the
//                      pattern (`regex`) matches one of them
//       regex          matches somewhere in the captured body (its first max_body_bytes);
//                      for a tcp check the condition is named "expect" and searches the
//                      reply
//       regex_absent   matches nowhere in the captured body
//       header:<Name>  some response header <Name> (case-insensitive) matches the pattern
//       body_bytes     body_bytes >= min_body_bytes
//     healthy = no condition failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_error.h"
#include "hc/common/config.h"
#include "hc/common/message.h"
#include "http_checker.h"
#include "regex_matcher.h"

namespace hc::producer {

struct HeaderCondition {
  std::string name;  // compared case-insensitively
  std::shared_ptr<const RegexMatcher> pattern;
  bool operator==(const HeaderCondition&) const = default;
};

// A site's conditions, compiled once per (re)load. Shared, immutable: the sites of one load
// with equal conditions share one block (site_plan.h).
struct CheckConditions {
  CheckType type = CheckType::kHttp;         // status, headers and body conditions are http's only
  std::vector<StatusRange> expected_status;  // empty: 200..399
  std::optional<std::int64_t> max_response_time_us;
  std::optional<int> min_cert_days;     // applies to https URLs and tls checks only
  bool valid_chain = false;             // tls checks without insecure_skip_verify
  std::optional<int> max_loss_percent;  // icmp checks only
  // http: over the body; tcp: the site's `expect`, over the reply; dns: the site's `expected`
  // pattern, over each answer.
  std::shared_ptr<const RegexMatcher> regex;
  // dns: the answers expected (sorted); empty: none listed.
  std::vector<std::string> expected_answers;
  std::shared_ptr<const RegexMatcher> regex_absent;
  std::vector<HeaderCondition> headers_match;
  std::optional<std::int64_t> min_body_bytes;

  // What the transport must capture for these conditions to be evaluated.
  bool needs_body() const { return regex != nullptr || regex_absent != nullptr; }
  bool needs_headers() const { return !headers_match.empty(); }

  // Patterns compare by their compiled block: one load compiles each distinct pattern once.
  bool operator==(const CheckConditions&) const = default;
};

struct Verdict {
  bool healthy = false;
  std::vector<std::string> failed_conditions;  // short names, see above
  std::optional<bool> regex_match;             // set when a regex was searched
  std::optional<CheckError> error;             // transport error or kUnexpectedStatus
  std::string error_detail;
};

// The outcome index (check_error.h) that metrics count this verdict under.
std::size_t outcome_of(const Verdict& verdict);

// Pure and deterministic. `https` says whether the checked URL is https (cert_days of an
// http check).
Verdict evaluate(const CheckConditions& conditions, const CheckResult& result, bool https,
                 WallTime measured_at);

}  // namespace hc::producer
