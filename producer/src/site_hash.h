// Stable hashes of a site (FNV-1a): the same across processes, hosts and restarts, which is
// what their users need: the first-run jitter (a restart spreads the sites the same way),
// --shard i/n (every producer agrees on who owns which URL) and the scheduler's site keys.
// The per-site tables key by them too (site_states.h by site_key(url), site_counters.h by
// site_hash(label)): well mixed in every bit, so their low bits pick a slot.
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

// Multiply-xor over the bytes (FNV-1a's shape), from `seed` with multiplier `prime`.
constexpr std::uint64_t multiply_xor(std::string_view bytes, std::uint64_t seed,
                                     std::uint64_t prime) {
  std::uint64_t hash = seed;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= prime;
  }
  return hash;
}

// A final avalanche: xor-shift, multiply, xor-shift, multiply, xor-shift.
constexpr std::uint64_t avalanche(std::uint64_t hash, int shift1, std::uint64_t multiplier1,
                                  int shift2, std::uint64_t multiplier2, int shift3) {
  hash ^= hash >> shift1;
  hash *= multiplier1;
  hash ^= hash >> shift2;
  hash *= multiplier2;
  hash ^= hash >> shift3;
  return hash;
}

constexpr std::uint64_t site_hash(std::string_view url) {
  // FNV-1a's low bits mix poorly for short inputs that differ only at the end
  // ("/?i=1", "/?i=2"); a final avalanche (splitmix64) makes `hash % n` uniform.
  return avalanche(multiply_xor(url, 14695981039346656037ULL, 1099511628211ULL), 30,
                   0xbf58476d1ce4e5b9ULL, 27, 0x94d049bb133111ebULL, 31);
}

// The scheduler's key of a site: identity is its URL, '\n' and its destination topic.
constexpr SiteKey site_key(std::string_view identity) {
  // Another seed and multiplier, and murmur3's final mix: another avalanche than site_hash's.
  const std::uint64_t low =
      avalanche(multiply_xor(identity, 0x6a09e667f3bcc908ULL, 0x9e3779b97f4a7c15ULL), 33,
                0xff51afd7ed558ccdULL, 33, 0xc4ceb9fe1a85ec53ULL, 33);
  return SiteKey{site_hash(identity), low};
}

// Producers of different versions must agree on --shard and on the first-run jitter: the
// value is fixed.
static_assert(site_hash("https://example.test/") == 8086453358645866303ULL);

}  // namespace hc::producer
