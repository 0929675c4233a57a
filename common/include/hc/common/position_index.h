// A hash index over the entries of a dense list, for the tables that hold something for every
// site (the producer's site_states.h and site_counters.h, the config's duplicate-URL check):
// a million sites must not cost a node, a bucket and a copy of the key each. It maps a hash to the
// entry's position in its owner's vector, 4 bytes a slot, at most 3/4 of the slots used (open
// addressing, linear probing, a power-of-two slot count). It holds no hash and no key: the owner
// says which entry matches (find) and what an entry's hash is when the index moves it (growth,
// erase).
//
// REQUIRES: hashes are well mixed in their low bits (site_hash.h's are); fewer than 2^32 - 1
// entries.
// Thread: not thread-safe; its owner guards it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace hc {

class PositionIndex {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  PositionIndex() = default;
  // Sized for `expected` entries: it grows only beyond them.
  explicit PositionIndex(std::size_t expected) : slots_(slot_count_for(expected), kEmpty) {}

  // The position p under `hash` for which matches(p) holds, or kNone.
  template <typename Matches>
  std::uint32_t find(std::uint64_t hash, const Matches& matches) const {
    if (slots_.empty()) return kNone;
    for (std::size_t slot = home(hash);; slot = next(slot)) {
      if (slots_[slot] == kEmpty) return kNone;
      if (matches(slots_[slot] - 1)) return slots_[slot] - 1;
    }
  }

  // Adds `position` under `hash`. hash_of(p): the hash of the entry at position p, for those
  // already indexed (asked when the slots grow). REQUIRES: position is not indexed.
  template <typename HashOf>
  void insert(std::uint64_t hash, std::uint32_t position, const HashOf& hash_of) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow(hash_of);
    place(hash, position);
    ++size_;
  }

  // Removes `position`, indexed under `hash`. hash_of as for insert() (asked for the entries
  // whose slots shift back into the freed one). REQUIRES: position is indexed under hash.
  template <typename HashOf>
  void erase(std::uint64_t hash, std::uint32_t position, const HashOf& hash_of) {
    std::size_t hole = slot_of(hash, position);
    // Backward shift: an entry after the hole moves into it unless its home slot lies
    // (cyclically) after the hole and at or before the entry's slot.
    for (std::size_t slot = next(hole); slots_[slot] != kEmpty; slot = next(slot)) {
      const std::size_t wanted = home(hash_of(slots_[slot] - 1));
      const bool stays =
          hole <= slot ? hole < wanted && wanted <= slot : hole < wanted || wanted <= slot;
      if (stays) continue;
      slots_[hole] = slots_[slot];
      hole = slot;
    }
    slots_[hole] = kEmpty;
    --size_;
  }

  // Makes room for `entries` without growing again (a table that knows its size up front grows
  // once). hash_of as for insert().
  template <typename HashOf>
  void reserve(std::size_t entries, const HashOf& hash_of) {
    const std::size_t wanted = std::max(slot_count_for(entries), slots_.size());
    if (wanted != slots_.size()) rehash(wanted, hash_of);
  }

  // The entry indexed under `hash` at position `from` is now at `to` (its owner moved it,
  // e.g. the last entry into an erased one's place). REQUIRES: from is indexed under hash.
  void move(std::uint64_t hash, std::uint32_t from, std::uint32_t to) {
    slots_[slot_of(hash, from)] = to + 1;
  }

  std::size_t size() const { return size_; }
  std::size_t slot_count() const { return slots_.size(); }

 private:
  static constexpr std::uint32_t kEmpty = 0;  // a slot holds position + 1

  // The fewest slots (a power of two, at least 16) that hold `entries` at most 3/4 full.
  static std::size_t slot_count_for(std::size_t entries) {
    std::size_t slots = 16;
    while (entries * 4 > slots * 3) slots *= 2;
    return slots;
  }

  std::size_t home(std::uint64_t hash) const {
    return static_cast<std::size_t>(hash) & (slots_.size() - 1);
  }
  std::size_t next(std::size_t slot) const { return (slot + 1) & (slots_.size() - 1); }
  std::size_t slot_of(std::uint64_t hash, std::uint32_t position) const {
    std::size_t slot = home(hash);
    while (slots_[slot] != position + 1) slot = next(slot);
    return slot;
  }
  void place(std::uint64_t hash, std::uint32_t position) {
    std::size_t slot = home(hash);
    while (slots_[slot] != kEmpty) slot = next(slot);
    slots_[slot] = position + 1;
  }
  template <typename HashOf>
  void grow(const HashOf& hash_of) {
    rehash(slots_.empty() ? 16 : slots_.size() * 2, hash_of);
  }
  template <typename HashOf>
  void rehash(std::size_t slot_count, const HashOf& hash_of) {
    std::vector<std::uint32_t> old(slot_count, kEmpty);
    old.swap(slots_);
    for (const std::uint32_t held : old) {
      if (held != kEmpty) place(hash_of(held - 1), held - 1);
    }
  }

  std::vector<std::uint32_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace hc
