// The per-site counters behind /metrics (producer_metrics.h): completed checks by outcome and
// retries, by the site's label (its display URL), for every site a producer checks.
//
// Memory, for a million sites: a site costs its label's bytes once (in one block of text for
// all the labels), 24 bytes of counters and offsets, and a 4-byte index slot (PositionIndex):
// no node and no string per site. The count of "up" checks is inline; the other outcomes and
// the retries of a site get a block of their own at its first other outcome or retry.
//
// Thread: not thread-safe; ProducerMetrics guards it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "check_error.h"
#include "hc/common/position_index.h"

namespace hc::producer {

class SiteCounters {
 public:
  using OutcomeCounts = std::array<std::uint64_t, kOutcomeCount>;

  // One completed check of the site labelled `label`, counted under `outcome` (< kOutcomeCount).
  void add_check(std::string_view label, std::size_t outcome);
  // One failed attempt of the site that is tried again.
  void add_retry(std::string_view label);
  // Drops the site's counters: counted again, it starts from zero.
  void forget(std::string_view label);

  // Calls visit(label, counts, retries) for every site counted, in no particular order.
  template <typename Visit>
  void for_each(const Visit& visit) const {
    for (const Site& site : sites_) {
      OutcomeCounts counts{};
      counts[0] = site.up;
      std::uint64_t retries = 0;
      if (site.rare) {
        for (std::size_t outcome = 1; outcome < kOutcomeCount; ++outcome) {
          counts[outcome] = site.rare->by_outcome[outcome - 1];
        }
        retries = site.rare->retries;
      }
      visit(label_of(site), counts, retries);
    }
  }

  // Room for `sites` sites whose labels take `label_bytes` in all, without growing.
  void reserve(std::size_t sites, std::size_t label_bytes);

  std::size_t size() const { return sites_.size(); }
  // Bytes of the labels' block, those of forgotten sites included (for tests).
  std::size_t label_bytes() const { return labels_.size(); }

 private:
  // What most sites never need: counts of outcomes other than up, and retries.
  struct RareCounts {
    std::array<std::uint64_t, kOutcomeCount - 1> by_outcome{};  // outcome 1.. at [outcome - 1]
    std::uint64_t retries = 0;
  };
  struct Site {
    std::uint32_t label_offset = 0;  // in labels_
    std::uint32_t label_size = 0;
    std::uint64_t up = 0;
    std::unique_ptr<RareCounts> rare;  // null until the site needs it
  };

  std::string_view label_of(const Site& site) const {
    return std::string_view(labels_).substr(site.label_offset, site.label_size);
  }
  // The index's hash of the site at `position` (what PositionIndex asks when it moves one).
  std::uint64_t hash_at(std::uint32_t position) const;
  // The site labelled `label`, added with no counts when it has none.
  Site& site_of(std::string_view label);
  RareCounts& rare_of(std::string_view label);
  // Rewrites labels_ without the bytes of forgotten sites.
  void compact_labels();

  std::vector<Site> sites_;
  PositionIndex index_;  // of sites_, by site_hash(label)
  // Every site's label, one after the other; forgotten ones leave their bytes until
  // compact_labels() (when they are more than half).
  std::string labels_;
  std::size_t forgotten_label_bytes_ = 0;
};

}  // namespace hc::producer
