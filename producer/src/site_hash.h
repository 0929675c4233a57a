// Stable hashes of a site (FNV-1a): the same across processes, hosts and restarts, which is
// what their users need: the first-run jitter (a restart spreads the sites the same way),
// --shard i/n (every producer agrees on who owns which URL) and the scheduler's site keys.
#pragma once

#include <cstdint>
#include <string_view>

namespace hc::producer {

// A site's identity for the scheduler (its URL and topic) in 16 bytes instead of a string: a
// 128-bit fingerprint made of two 64-bit hashes with different seeds, multipliers and final
// mixes. Two identities of a list share one with odds of about n^2 / 2^129 for n sites
// (1e-27 for a million); the scheduler would then take them for one key given twice.
struct SiteKey {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool operator==(const SiteKey&) const = default;
  friend bool operator<(const SiteKey& a, const SiteKey& b) {
    return a.high != b.high ? a.high < b.high : a.low < b.low;
  }
};

constexpr std::uint64_t site_hash(std::string_view url) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : url) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  // FNV-1a's low bits mix poorly for short inputs that differ only at the end
  // ("/?i=1", "/?i=2"); a final avalanche (splitmix64) makes `hash % n` uniform.
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 31;
  return hash;
}

// The scheduler's key of a site: identity is its URL, '\n' and its destination topic.
constexpr SiteKey site_key(std::string_view identity) {
  std::uint64_t low = 0x6a09e667f3bcc908ULL;
  for (char c : identity) {
    low ^= static_cast<unsigned char>(c);
    low *= 0x9e3779b97f4a7c15ULL;
  }
  // murmur3's final mix: another avalanche than site_hash's.
  low ^= low >> 33;
  low *= 0xff51afd7ed558ccdULL;
  low ^= low >> 33;
  low *= 0xc4ceb9fe1a85ec53ULL;
  low ^= low >> 33;
  return SiteKey{site_hash(identity), low};
}

}  // namespace hc::producer
