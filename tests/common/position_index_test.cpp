// PositionIndex: the index behind the per-site tables, against std::unordered_map as the model,
// through inserts, erases with the owner's swap-with-last, and growth; hashes that collide in
// their low bits make the probe runs long, so erase's backward shift is exercised.
#include "hc/common/position_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

namespace hc {
namespace {

// A dense table of keys, as SiteStates keeps its entries: erase moves the last into the hole.
struct Table {
  std::vector<std::uint64_t> keys;
  PositionIndex index;

  // Few distinct low bits: many keys share a home slot.
  static std::uint64_t hash(std::uint64_t key) { return (key % 61) * 0x9e3779b97f4a7c15ULL >> 7; }
  auto hash_of() const {
    return [this](std::uint32_t position) { return hash(keys[position]); };
  }
  std::uint32_t find(std::uint64_t key) const {
    return index.find(hash(key), [&](std::uint32_t p) { return keys[p] == key; });
  }
  void insert(std::uint64_t key) {
    keys.push_back(key);
    index.insert(hash(key), static_cast<std::uint32_t>(keys.size() - 1), hash_of());
  }
  void erase(std::uint64_t key) {
    const std::uint32_t position = find(key);
    index.erase(hash(key), position, hash_of());
    const auto last = static_cast<std::uint32_t>(keys.size() - 1);
    if (position != last) {
      keys[position] = keys[last];
      index.move(hash(keys[position]), last, position);
    }
    keys.pop_back();
  }
};

TEST(PositionIndex, FindsEveryKeyItHoldsAndNoOtherThroughInsertsAndErases) {
  Table table;
  std::unordered_map<std::uint64_t, bool> model;  // key -> present
  std::mt19937_64 random(23);
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t key = random() % 3000;
    const bool present = model[key];
    if (present) {
      table.erase(key);
    } else {
      table.insert(key);
    }
    model[key] = !present;
    if (step % 997 == 0 || step == 19999) {
      for (const auto& [k, held] : model) {
        const std::uint32_t position = table.find(k);
        ASSERT_EQ(position != PositionIndex::kNone, held) << "key " << k << " at step " << step;
        if (held) {
          ASSERT_EQ(table.keys[position], k);
        }
      }
      ASSERT_EQ(table.index.size(), table.keys.size());
    }
  }
}

TEST(PositionIndex, KeepsAtMostThreeQuartersOfItsSlotsUsed) {
  Table table;
  EXPECT_EQ(table.find(1), PositionIndex::kNone);  // empty: no slots yet
  for (std::uint64_t key = 0; key < 1000; ++key) {
    table.insert(key);
    ASSERT_LE(table.index.size() * 4, table.index.slot_count() * 3);
  }
  EXPECT_EQ(table.index.slot_count(), 2048u);
}

TEST(PositionIndex, AReservedIndexTakesItsEntriesWithoutGrowingAndKeepsThoseItHad) {
  Table table;
  for (std::uint64_t key = 0; key < 100; ++key) table.insert(key);
  table.index.reserve(1000, table.hash_of());
  EXPECT_EQ(table.index.slot_count(), 2048u);
  for (std::uint64_t key = 100; key < 1000; ++key) table.insert(key);
  EXPECT_EQ(table.index.slot_count(), 2048u);
  for (std::uint64_t key = 0; key < 1000; ++key) {
    ASSERT_NE(table.find(key), PositionIndex::kNone) << key;
  }
  EXPECT_EQ(table.find(1000), PositionIndex::kNone);
}

}  // namespace
}  // namespace hc
