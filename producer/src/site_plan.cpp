#include "site_plan.h"

#include <bit>
#include <unordered_map>

#include "hc/common/url_digest.h"
#include "site_hash.h"

namespace hc::producer {

bool in_shard(const std::string& url, const std::optional<ShardSpec>& shard) {
  if (!shard || shard->count <= 1) return true;
  return site_hash(url) % static_cast<std::uint64_t>(shard->count) ==
         static_cast<std::uint64_t>(shard->index);
}

SitePlans build_site_plans(const std::vector<SiteConfig>& sites,
                           const std::optional<ShardSpec>& shard) {
  SitePlans result;
  // One compiled RE2 per distinct pattern: an RE2 object and its lazily built DFA cost tens
  // of KB, which 10,000 sites sharing one pattern would otherwise pay 10,000 times.
  std::unordered_map<std::string, std::shared_ptr<const RegexMatcher>> regexes;
  for (const SiteConfig& site : sites) {
    if (!in_shard(site.url, shard)) continue;
    auto request = std::make_shared<CheckRequest>();
    request->url = site.url;
    request->method = site.method;
    request->headers = site.headers;
    request->timeout = site.timeout;
    request->follow_redirects = site.follow_redirects;
    request->max_redirects = site.max_redirects;
    request->expected_status = site.expected_status;
    request->max_body_bytes = site.max_body_bytes;

    auto plan = std::make_shared<SitePlan>();
    plan->config = site;
    plan->url_digest = url_digest(site.url);
    plan->request = std::move(request);
    if (site.regex) {
      auto& shared = regexes[*site.regex];
      if (!shared) shared = std::make_shared<const RegexMatcher>(*site.regex);
      plan->regex = shared;
    }
    result.plans.push_back(std::move(plan));

    // The spread uses other bits of the hash than the shard does, so the sites of one shard
    // still spread over the whole interval.
    result.schedule.push_back(ScheduledSite{site.url + '\n' + site.destination_topic,
                                            site.polling_interval,
                                            std::rotl(site_hash(site.url), 29)});
  }
  return result;
}

std::vector<SitePlans> split_site_plans(SitePlans plans, std::size_t parts) {
  std::vector<SitePlans> shares(parts);
  for (std::size_t i = 0; i < plans.plans.size(); ++i) {
    const std::uint64_t hash = std::rotl(site_hash(plans.plans[i]->config.url), 47);
    SitePlans& share = shares[hash % parts];
    share.plans.push_back(std::move(plans.plans[i]));
    share.schedule.push_back(std::move(plans.schedule[i]));
  }
  return shares;
}

}  // namespace hc::producer
