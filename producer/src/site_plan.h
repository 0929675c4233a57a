// What the producer checks: the configured sites turned, once per (re)load, into what each
// check needs (the curl request, the compiled regex, the URL digest) and what the
// scheduler needs (identity, interval, spread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_verdict.h"
#include "dns_checker.h"
#include "hc/common/config.h"
#include "hc/producer/producer.h"
#include "http_checker.h"
#include "icmp_checker.h"
#include "regex_matcher.h"
#include "retry_policy.h"
#include "scheduler.h"
#include "socket_checker.h"

namespace hc::producer {

// Immutable once built; shared with the checks in flight, so a reload never pulls a site's
// data from under a running check.
struct SitePlan {
  SiteConfig config;
  std::string display_url;  // for metric labels and logs: secret query values redacted
  std::string url_digest;
  std::shared_ptr<const CheckRequest> request;  // http(s) sites
  // tcp and tls sites; null otherwise. The check runner dispatches on config.check_type.
  std::shared_ptr<const SocketCheckRequest> socket_request;
  std::shared_ptr<const DnsCheckRequest> dns_request;    // dns sites; null otherwise
  std::shared_ptr<const IcmpCheckRequest> icmp_request;  // icmp sites; null otherwise
  CheckConditions conditions;  // compiled patterns shared by equal patterns of other sites
  RetryPolicy retry;
  bool https = false;
  // The host whose slots the checks take (host_slots.h), lower case: the URL's host, a dns
  // site's server. Empty when there is none (dns:/// asks the system's resolvers).
  std::string host_key;
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
