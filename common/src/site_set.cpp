#include "hc/common/site_set.h"

#include <utility>

namespace hc {

SiteChange SiteSet::apply(std::int32_t partition, std::int64_t offset, const std::string& url,
                          const std::optional<std::string>& value) {
  auto [applied, first] = applied_offsets_.try_emplace({partition, url}, offset);
  if (!first) {
    if (offset <= applied->second) return SiteChange::kUnchanged;
    applied->second = offset;
  }
  auto site = sites_.find(url);
  if (!value) {
    if (site == sites_.end()) return SiteChange::kUnchanged;
    sites_.erase(site);
    return SiteChange::kRemoved;
  }
  if (site == sites_.end()) {
    sites_.emplace(url, SiteRecord{partition, offset, *value});
    return SiteChange::kAdded;
  }
  const bool same_value = site->second.value == *value;
  site->second = SiteRecord{partition, offset, *value};
  return same_value ? SiteChange::kUnchanged : SiteChange::kChanged;
}

std::vector<std::string> SiteSet::drop_partition(std::int32_t partition) {
  std::vector<std::string> dropped;
  for (auto site = sites_.begin(); site != sites_.end();) {
    if (site->second.partition == partition) {
      dropped.push_back(site->first);
      site = sites_.erase(site);
    } else {
      ++site;
    }
  }
  for (auto applied = applied_offsets_.begin(); applied != applied_offsets_.end();) {
    applied = applied->first.first == partition ? applied_offsets_.erase(applied) : ++applied;
  }
  return dropped;
}

}  // namespace hc
