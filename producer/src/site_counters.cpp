#include "site_counters.h"

#include <limits>
#include <stdexcept>

#include "site_hash.h"

namespace hc::producer {

void SiteCounters::add_check(std::string_view label, std::size_t outcome) {
  if (outcome == 0) {
    ++site_of(label).up;
    return;
  }
  ++rare_of(label).by_outcome[outcome - 1];
}

void SiteCounters::add_retry(std::string_view label) { ++rare_of(label).retries; }

void SiteCounters::forget(std::string_view label) {
  const std::uint64_t hash = site_hash(label);
  const auto hash_of = [this](std::uint32_t p) { return hash_at(p); };
  const std::uint32_t position =
      index_.find(hash, [&](std::uint32_t p) { return label_of(sites_[p]) == label; });
  if (position == PositionIndex::kNone) return;
  index_.erase(hash, position, hash_of);
  forgotten_label_bytes_ += sites_[position].label_size;
  const auto last = static_cast<std::uint32_t>(sites_.size() - 1);
  if (position != last) {
    sites_[position] = std::move(sites_[last]);
    index_.move(hash_of(position), last, position);
  }
  sites_.pop_back();
  if (forgotten_label_bytes_ > labels_.size() / 2) compact_labels();
}

void SiteCounters::reserve(std::size_t sites, std::size_t label_bytes) {
  if (sites > sites_.capacity()) {
    sites_.reserve(sites);
    index_.reserve(sites, [this](std::uint32_t p) { return hash_at(p); });
  }
  labels_.reserve(label_bytes + forgotten_label_bytes_);
}

SiteCounters::Site& SiteCounters::site_of(std::string_view label) {
  const std::uint64_t hash = site_hash(label);
  std::uint32_t position =
      index_.find(hash, [&](std::uint32_t p) { return label_of(sites_[p]) == label; });
  if (position != PositionIndex::kNone) return sites_[position];
  if (labels_.size() + label.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("site counters: the labels' block is full (4 GiB)");
  }
  position = static_cast<std::uint32_t>(sites_.size());
  Site& site = sites_.emplace_back();
  site.label_offset = static_cast<std::uint32_t>(labels_.size());
  site.label_size = static_cast<std::uint32_t>(label.size());
  labels_.append(label);
  index_.insert(hash, position, [this](std::uint32_t p) { return hash_at(p); });
  return site;
}

SiteCounters::RareCounts& SiteCounters::rare_of(std::string_view label) {
  Site& site = site_of(label);
  if (!site.rare) site.rare = std::make_unique<RareCounts>();
  return *site.rare;
}

std::uint64_t SiteCounters::hash_at(std::uint32_t position) const {
  return site_hash(label_of(sites_[position]));
}

void SiteCounters::compact_labels() {
  std::string kept;
  kept.reserve(labels_.size() - forgotten_label_bytes_);
  for (Site& site : sites_) {
    const std::string_view label = label_of(site);
    site.label_offset = static_cast<std::uint32_t>(kept.size());
    kept.append(label);
  }
  labels_ = std::move(kept);
  forgotten_label_bytes_ = 0;
}

}  // namespace hc::producer
