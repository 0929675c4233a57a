// Fleet mode's sites, as pure logic: the records of the assigned partitions of the sites
// topic folded into a SiteSet, decoded over the config's defaults into the list to check.
// The Kafka group consumer (topic_site_source.h) feeds it; tests feed it by hand.
//
// An invalid value (site_json.h) is logged with its record's coordinates and left out; a
// later valid value of the same URL brings the site back.
//
// Thread: not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/shared_text.h"
#include "hc/common/site_set.h"

namespace hc::producer {

class FleetSites {
 public:
  // producer: the fleet-mode section (sites_topic, site_defaults, redact_query_params).
  explicit FleetSites(const ProducerConfig& producer);

  // A partition given to this producer: its records follow from the beginning.
  void assign(std::int32_t partition);
  // A partition taken away: its sites are dropped at once. True when sites were dropped.
  bool revoke(std::int32_t partition);
  // One record of an assigned partition (value nullopt: a tombstone); records of other
  // partitions are ignored. True when the list to check changed.
  bool apply(std::int32_t partition, std::int64_t offset, const std::string& url,
             const std::optional<std::string>& value);

  // The valid sites of the assigned partitions, sorted by URL.
  std::vector<SiteConfig> sites() const;
  const std::set<std::int32_t>& assigned() const { return assigned_; }

 private:
  ProducerConfig producer_;
  std::set<std::int32_t> assigned_;
  SiteSet records_;
  std::map<std::string, SiteConfig> valid_;  // decoded records_, by URL
  // The texts of valid_'s sites, each held once (share_site_texts); pruned of the texts no
  // site uses any more whenever it has doubled since the last prune.
  TextPool texts_;
  std::size_t texts_after_prune_ = 0;
};

}  // namespace hc::producer
