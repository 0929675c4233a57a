// What the producer checks: the configured sites turned, once per (re)load, into what each
// check needs (the curl request, the compiled regex, the URL digest) and what the
// scheduler needs (identity, interval, spread).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "check_verdict.h"
#include "dns_checker.h"
#include "hc/common/config.h"
#include "hc/common/url_digest.h"
#include "hc/producer/producer.h"
#include "http_checker.h"
#include "icmp_checker.h"
#include "regex_matcher.h"
#include "retry_policy.h"
#include "scheduler.h"
#include "socket_checker.h"

namespace hc::producer {

// A URL's digest (hc/common/url_digest.h) held inline as its 32 bytes, without a heap block
// of its own; written as url_digest() writes it when a message is made.
class InlineDigest {
 public:
  InlineDigest() = default;
  explicit InlineDigest(const UrlDigestBytes& bytes) : bytes_(bytes) {}
  std::string str() const { return url_digest_hex(bytes_); }
  friend bool operator==(const InlineDigest& a, std::string_view b) { return a.str() == b; }

 private:
  UrlDigestBytes bytes_{};
};

// What a check reads of a site's settings besides its request and conditions: the URL, where
// its results go, and what its message and state need. Texts are shared with the config's.
struct PlannedSite {
  std::string url;
  CheckType check_type = CheckType::kHttp;
  bool https = false;  // the URL's scheme is https (the verdict's certificate conditions)
  SharedText destination_topic;
  SharedText events_topic;
  // The message's `regex`: the site's regex (http) or expect (tcp).
  std::optional<SharedText> pattern;
  int down_after = 1;
  int up_after = 1;
  std::size_t max_concurrent_per_host = 4;
};

// Immutable once built; shared with the checks in flight, so a reload never pulls a site's
// data from under a running check. A plan holds no SiteConfig: what every site repeats (the
// http request, the conditions and their compiled patterns, the topics) is one block for all
// the sites of a load that repeat it, so a site costs its URL and little more.
struct SitePlan {
  PlannedSite config;
  // For metric labels and logs: the URL with secret query values redacted.
  const std::string& display_url() const {
    return redacted_url.empty() ? config.url : redacted_url.str();
  }
  SharedText redacted_url;  // empty when the URL shows as it is
  InlineDigest url_digest;
  // What the check sends, by config.check_type (the check runner dispatches on it): an http(s)
  // site's request (shared by the sites of the load asked the same way; the check is given
  // config.url beside it), a tcp or tls site's, a dns site's or an icmp site's. One pointer,
  // since a site has one check type: a million plans hold no three null pointers each.
  std::variant<std::shared_ptr<const CheckRequest>, std::shared_ptr<const SocketCheckRequest>,
               std::shared_ptr<const DnsCheckRequest>, std::shared_ptr<const IcmpCheckRequest>>
      request;
  // The request when it is a `Request`; null when the site's check type sends another.
  template <typename Request>
  std::shared_ptr<const Request> request_as() const {
    const auto* held = std::get_if<std::shared_ptr<const Request>>(&request);
    return held != nullptr ? *held : nullptr;
  }
  // Shared by the sites of the load with equal conditions (and their compiled patterns by
  // equal patterns). Never null.
  std::shared_ptr<const CheckConditions> conditions;
  RetryPolicy retry;
  // The host whose slots the checks take (host_slots.h), lower case: the URL's host, a dns
  // site's server. Empty when there is none (dns:/// asks the system's resolvers).
  SharedText host_key;
};

// True if the site belongs to this producer's shard (every site when shard is unset).
// Stable across hosts and restarts: hash(url) % count == index.
bool in_shard(const std::string& url, const std::optional<ShardSpec>& shard);

struct SitePlans {
  std::vector<std::shared_ptr<const SitePlan>> plans;
  std::vector<ScheduledSite> schedule;  // parallel to plans
};

// REQUIRES: sites come from a validated Config (regexes compile). redact_query_params:
// ProducerConfig::redact_query_params, applied to display_url. Throws std::runtime_error
// when a tls site's certificates cannot be loaded (make_tls_check_context).
// The sites are moved into their plans (taken by value: pass an rvalue to avoid a copy).
SitePlans build_site_plans(std::vector<SiteConfig> sites, const std::optional<ShardSpec>& shard,
                           const std::vector<std::string>& redact_query_params = {});

// Splits the plans into `parts` (> 0) shares, one per check loop, by URL hash: a URL always
// lands in the same share for a given `parts`. Other hash bits than the shard's are used,
// so the sites of one shard still spread over every share.
std::vector<SitePlans> split_site_plans(SitePlans plans, std::size_t parts);

}  // namespace hc::producer
