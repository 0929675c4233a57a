#include "site_plan.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <unordered_map>

#include "hc/common/dns_target.h"
#include "hc/common/host_port.h"
#include "hc/common/url_digest.h"
#include "hc/common/url_redaction.h"
#include "redirect_policy.h"
#include "site_hash.h"

namespace hc::producer {

bool in_shard(const std::string& url, const std::optional<ShardSpec>& shard) {
  if (!shard || shard->count <= 1) return true;
  return site_hash(url) % static_cast<std::uint64_t>(shard->count) ==
         static_cast<std::uint64_t>(shard->index);
}

namespace {

// One compiled RE2 per distinct pattern: an RE2 object and its lazily built DFA cost tens
// of KB, which 10,000 sites sharing one pattern would otherwise pay 10,000 times.
class RegexCache {
 public:
  std::shared_ptr<const RegexMatcher> get(const std::optional<std::string>& pattern) {
    if (!pattern) return nullptr;
    auto& shared = compiled_[*pattern];
    if (!shared) shared = std::make_shared<const RegexMatcher>(*pattern);
    return shared;
  }

 private:
  std::unordered_map<std::string, std::shared_ptr<const RegexMatcher>> compiled_;
};

// Gives equal values one shared block, as TextPool does for texts: 200,000 sites with the same
// conditions hold them once. `Hash` is any function of a value that equal values share.
template <typename T, std::size_t (*Hash)(const T&)>
class ValuePool {
 public:
  std::shared_ptr<const T> intern(T value) {
    std::vector<std::shared_ptr<const T>>& same_hash = blocks_[Hash(value)];
    for (const std::shared_ptr<const T>& block : same_hash) {
      if (*block == value) return block;
    }
    same_hash.push_back(std::make_shared<const T>(std::move(value)));
    return same_hash.back();
  }

 private:
  std::unordered_map<std::size_t, std::vector<std::shared_ptr<const T>>> blocks_;
};

void mix(std::size_t& hash, std::size_t value) { hash = (hash ^ value) * 1099511628211ULL; }

std::size_t hash_of(const CheckConditions& conditions) {
  std::size_t hash = static_cast<std::size_t>(conditions.type);
  mix(hash, std::hash<const void*>{}(conditions.regex.get()));
  mix(hash, std::hash<const void*>{}(conditions.regex_absent.get()));
  mix(hash, conditions.expected_status.size());
  mix(hash, static_cast<std::size_t>(conditions.max_response_time_us.value_or(-1)));
  mix(hash, conditions.headers_match.size());
  mix(hash, conditions.expected_answers.size());
  return hash;
}

using ConditionsPool = ValuePool<CheckConditions, hash_of>;

std::size_t hash_of(const CheckRequest& request) {
  std::size_t hash = std::hash<std::string_view>{}(request.method.view());
  mix(hash, static_cast<std::size_t>(request.timeout.count()));
  mix(hash, request.headers.size());
  mix(hash, request.body_capture_bytes);
  mix(hash, std::hash<std::string_view>{}(request.proxy.view()));
  mix(hash, std::hash<std::string_view>{}(request.tls.ca_file.view()));
  mix(hash, std::hash<std::string_view>{}(request.tls.server_name.view()));
  return hash;
}

using RequestPool = ValuePool<CheckRequest, hash_of>;

// One TLS context per distinct settings: loading a trust store costs milliseconds.
class TlsContextCache {
 public:
  std::shared_ptr<SSL_CTX> get(const TlsSettings& tls) {
    for (const auto& [settings, context] : contexts_) {
      if (settings == tls) return context;
    }
    contexts_.emplace_back(tls, make_tls_check_context(tls));
    return contexts_.back().second;
  }

 private:
  std::vector<std::pair<TlsSettings, std::shared_ptr<SSL_CTX>>> contexts_;
};

CheckConditions compile_conditions(const SiteConfig& site, RegexCache& regexes) {
  CheckConditions conditions;
  conditions.type = site.check_type;
  if (site.check_type != CheckType::kHttp) {
    // Only the conditions of the type (config_producer_section.cpp refuses the others on
    // the site; those of defaults do not apply here).
    if (site.max_response_time) {
      conditions.max_response_time_us =
          std::chrono::duration_cast<std::chrono::microseconds>(*site.max_response_time).count();
    }
    if (site.check_type == CheckType::kIcmp) conditions.max_loss_percent = site.max_loss_percent;
    if (site.check_type == CheckType::kTls) {
      conditions.min_cert_days = site.min_cert_days;
      conditions.valid_chain = !site.tls.insecure_skip_verify;
    }
    if (site.check_type == CheckType::kDns) {
      conditions.regex = regexes.get(site.expected_pattern);
      conditions.expected_answers = site.expected_answers;
      std::sort(conditions.expected_answers.begin(), conditions.expected_answers.end());
    } else {
      conditions.regex = regexes.get(site.expect);
    }
    return conditions;
  }
  conditions.expected_status = site.expected_status;
  if (site.max_response_time) {
    conditions.max_response_time_us =
        std::chrono::duration_cast<std::chrono::microseconds>(*site.max_response_time).count();
  }
  conditions.min_cert_days = site.min_cert_days;
  conditions.regex = regexes.get(site.regex);
  conditions.regex_absent = regexes.get(site.regex_absent);
  for (const auto& [name, pattern] : site.headers_match) {
    conditions.headers_match.push_back(HeaderCondition{name, regexes.get(pattern)});
  }
  conditions.min_body_bytes = site.min_body_bytes;
  return conditions;
}

CheckRequest http_request_of(const SiteConfig& site, const CheckConditions& conditions) {
  CheckRequest request;
  request.method = site.method;
  request.headers = site.headers;
  request.basic_auth = site.basic_auth;
  request.timeout = site.timeout;
  request.follow_redirects = site.follow_redirects;
  request.max_redirects = site.max_redirects;
  request.redirect_deny = RedirectDeny{site.redirect_deny_loopback, site.redirect_deny_private};
  request.tls = site.tls;
  request.ip_version = site.ip_version;
  request.proxy = site.proxy;
  request.no_proxy = site.no_proxy;
  // Without a body condition the body is counted, not kept.
  request.body_capture_bytes = conditions.needs_body() ? site.max_body_bytes : 0;
  request.capture_headers = conditions.needs_headers();
  return request;
}

std::shared_ptr<const SocketCheckRequest> socket_request_of(const SiteConfig& site,
                                                            const CheckConditions& conditions,
                                                            TlsContextCache& tls_contexts) {
  auto request = std::make_shared<SocketCheckRequest>();
  // A validated tcp:// or tls:// URL always parses.
  request->target = std::get<HostPort>(parse_host_port_url(site.url));
  request->timeout = site.timeout;
  request->family = site.ip_version == IpVersion::kV4   ? AF_INET
                    : site.ip_version == IpVersion::kV6 ? AF_INET6
                                                        : AF_UNSPEC;
  if (site.check_type == CheckType::kTls) {
    request->tls = tls_contexts.get(site.tls);
    request->server_name = site.tls.server_name.str();
  } else {
    request->send = site.send.str();
    request->expect = conditions.regex;
    request->max_reply_bytes = site.max_body_bytes;
  }
  return request;
}

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string host_key_of(const SiteConfig& site, const SitePlan& plan) {
  switch (site.check_type) {
    case CheckType::kHttp: {
      const std::optional<Origin> origin = origin_of(site.url);
      if (!origin) return {};
      // "[::1]" is the host "::1" of tcp://[::1]:22 too.
      const std::string_view host = origin->host;
      return host.starts_with('[') && host.ends_with(']')
                 ? std::string(host.substr(1, host.size() - 2))
                 : origin->host;
    }
    case CheckType::kTcp:
    case CheckType::kTls:
      return lower_case(plan.request_as<SocketCheckRequest>()->target.host);
    case CheckType::kDns: {
      const auto& server = plan.request_as<DnsCheckRequest>()->target.server;
      return server ? lower_case(server->host) : std::string();
    }
    case CheckType::kIcmp:
      return lower_case(plan.request_as<IcmpCheckRequest>()->host);
  }
  return {};
}

// How much of the site list's buffer is consumed before its pages are handed back.
constexpr std::size_t kReleaseBytes = std::size_t{1} << 20;

// Hands the whole pages of `sites`' buffer beyond its size, up to `released_from` (what an
// earlier call left off at), back to the kernel; returns where this call left off. The buffer
// stays allocated and the vector never reads past its size: a page used again reads zeros.
// So the list shrinks as its sites are taken from the back, without a copy of what is left
// (the list and the plans it is turned into never both hold every site).
SiteConfig* release_unused_pages(std::vector<SiteConfig>& sites, SiteConfig* released_from) {
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(sites.data() + sites.size());
  const auto end = reinterpret_cast<std::uintptr_t>(released_from);
  const std::uintptr_t from = (first + page - 1) / page * page;
  const std::uintptr_t to = end / page * page;
  if (to > from) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): a page address of the list's own buffer
    madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
  }
  return sites.data() + sites.size();
}

PlannedSite planned_site(SiteConfig&& site) {
  PlannedSite planned;
  // A copy, not the parsed string: allocated with the rest of the plan, it leaves the parse's
  // heap pages wholly free, to be handed back (malloc_trim) once the config is dropped.
  planned.url = site.url;
  planned.check_type = site.check_type;
  planned.https = site.url.starts_with("https:");
  planned.destination_topic = std::move(site.destination_topic);
  planned.events_topic = std::move(site.events_topic);
  planned.pattern =
      site.check_type == CheckType::kHttp ? std::move(site.regex) : std::move(site.expect);
  planned.down_after = site.down_after;
  planned.up_after = site.up_after;
  planned.max_concurrent_per_host = site.max_concurrent_per_host;
  return planned;
}

}  // namespace

SitePlans build_site_plans(std::vector<SiteConfig> sites, const std::optional<ShardSpec>& shard,
                           const std::vector<std::string>& redact_query_params) {
  SitePlans result;
  RegexCache regexes;
  ConditionsPool shared_conditions;
  RequestPool shared_requests;
  TlsContextCache tls_contexts;
  TextPool host_keys;
  result.plans.reserve(sites.size());
  result.schedule.reserve(sites.size());
  // The sites are taken from the back and the pages they leave are handed back as they go
  // (release_unused_pages): the peak while loading stays near what the plans need. The plans
  // are put back in the sites' order at the end.
  SiteConfig* released_from = sites.data() + sites.capacity();
  const std::size_t release_every = std::max<std::size_t>(1, kReleaseBytes / sizeof(SiteConfig));
  while (!sites.empty()) {
    SiteConfig site = std::move(sites.back());
    sites.pop_back();
    if (sites.size() % release_every == 0)
      released_from = release_unused_pages(sites, released_from);
    if (!in_shard(site.url, shard)) continue;
    auto plan = std::make_shared<SitePlan>();
    plan->url_digest = InlineDigest(url_digest_bytes(site.url));
    if (std::string shown = redact_url(site.url, redact_query_params); shown != site.url) {
      plan->redacted_url = std::move(shown);
    }
    plan->conditions = shared_conditions.intern(compile_conditions(site, regexes));
    plan->retry = RetryPolicy{site.retries, site.retry_delay, site.timeout};

    if (site.check_type == CheckType::kDns) {
      auto request = std::make_shared<DnsCheckRequest>();
      // A validated dns:// URL always parses.
      request->target = std::get<DnsTarget>(parse_dns_url(site.url));
      request->timeout = site.timeout;
      plan->request = std::shared_ptr<const DnsCheckRequest>(std::move(request));
    } else if (site.check_type == CheckType::kIcmp) {
      auto request = std::make_shared<IcmpCheckRequest>();
      // A validated icmp:// URL always parses.
      request->host = std::get<IcmpHost>(parse_icmp_url(site.url)).host;
      request->count = site.echo_count;
      request->interval = site.echo_interval;
      request->timeout = site.timeout;
      plan->request = std::shared_ptr<const IcmpCheckRequest>(std::move(request));
    } else if (site.check_type != CheckType::kHttp) {
      plan->request = socket_request_of(site, *plan->conditions, tls_contexts);
    } else {
      plan->request = shared_requests.intern(http_request_of(site, *plan->conditions));
    }
    plan->host_key = host_keys.intern(host_key_of(site, *plan));
    // The spread uses other bits of the hash than the shard does, so the sites of one shard
    // still spread over the whole interval.
    result.schedule.push_back(
        ScheduledSite{site_key(site.url + '\n' + site.destination_topic.str()),
                      site.polling_interval, std::rotl(site_hash(site.url), 29)});
    plan->config = planned_site(std::move(site));
    result.plans.push_back(std::move(plan));
  }
  std::reverse(result.plans.begin(), result.plans.end());
  std::reverse(result.schedule.begin(), result.schedule.end());
  if (result.plans.size() < result.plans.capacity()) {  // a shard's part of the sites
    result.plans.shrink_to_fit();
    result.schedule.shrink_to_fit();
  }
  return result;
}

std::vector<SitePlans> split_site_plans(SitePlans plans, std::size_t parts) {
  std::vector<SitePlans> shares(parts);
  if (parts == 1) {
    shares[0] = std::move(plans);
    return shares;
  }
  // Each share's lists are sized once: no list grows by doubling and leaves its old copies
  // behind as free heap.
  std::vector<std::size_t> share_of(plans.plans.size());
  std::vector<std::size_t> sizes(parts, 0);
  for (std::size_t i = 0; i < plans.plans.size(); ++i) {
    share_of[i] = std::rotl(site_hash(plans.plans[i]->config.url), 47) % parts;
    ++sizes[share_of[i]];
  }
  for (std::size_t part = 0; part < parts; ++part) {
    shares[part].plans.reserve(sizes[part]);
    shares[part].schedule.reserve(sizes[part]);
  }
  for (std::size_t i = 0; i < plans.plans.size(); ++i) {
    SitePlans& share = shares[share_of[i]];
    share.plans.push_back(std::move(plans.plans[i]));
    share.schedule.push_back(plans.schedule[i]);
  }
  return shares;
}

}  // namespace hc::producer
