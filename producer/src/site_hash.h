// A stable 64-bit hash of a site's URL (FNV-1a). Stable across processes, hosts and
// restarts, which is what both users need: the first-run jitter (a restart spreads the
// sites the same way) and --shard i/n (every producer agrees on who owns which URL).
#pragma once

#include <cstdint>
#include <string_view>

namespace hc::producer {

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

}  // namespace hc::producer
