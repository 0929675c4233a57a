#include "fleet_sites.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "hc/common/site_json.h"
#include "hc/common/url_redaction.h"

namespace hc::producer {

FleetSites::FleetSites(const ProducerConfig& producer) : producer_(producer) {
  producer_.websites.clear();
}

void FleetSites::assign(std::int32_t partition) { assigned_.insert(partition); }

bool FleetSites::revoke(std::int32_t partition) {
  assigned_.erase(partition);
  bool changed = false;
  for (const std::string& url : records_.drop_partition(partition)) {
    changed = valid_.erase(url) > 0 || changed;
  }
  return changed;
}

bool FleetSites::apply(std::int32_t partition, std::int64_t offset, const std::string& url,
                       const std::optional<std::string>& value) {
  if (!assigned_.contains(partition)) return false;
  const SiteChange change = records_.apply(partition, offset, url, value);
  if (change == SiteChange::kUnchanged) return false;
  if (change == SiteChange::kRemoved) return valid_.erase(url) > 0;
  SiteDecodeResult decoded =
      decode_site_json(url, *value, producer_,
                       fmt::format("{}[{}]@{}", producer_.sites_topic, partition, offset), texts_);
  if (texts_.size() > 2 * texts_after_prune_ + 64) {
    texts_.prune();
    texts_after_prune_ = texts_.size();
  }
  if (!decoded.site) {
    for (const ConfigError& error : decoded.errors) {
      spdlog::error("invalid site {} left out: {}", redact_url(url, producer_.redact_query_params),
                    error.to_string());
    }
    return valid_.erase(url) > 0;
  }
  auto [site, inserted] = valid_.try_emplace(url, *decoded.site);
  if (inserted) return true;
  if (site->second == *decoded.site) return false;
  site->second = std::move(*decoded.site);
  return true;
}

std::vector<SiteConfig> FleetSites::sites() const {
  std::vector<SiteConfig> list;
  list.reserve(valid_.size());
  for (const auto& [url, site] : valid_) list.push_back(site);
  return list;
}

}  // namespace hc::producer
