// Which earlier entry of a list gave the same text (the config's duplicate-URL check), without
// a copy of any text: an open-addressing table of the entries' indices, hashed by their text,
// at most half full (8 bytes a slot), where a hash map of views took ~72 bytes an entry.
//
// Thread: not thread-safe; one reader of one list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace hc::config_detail {

class FirstGiven {
 public:
  // `expected`: how many entries will be added (the table grows when more are).
  explicit FirstGiven(std::size_t expected) { slots_.resize(slots_for(expected)); }

  // The index of an entry added earlier whose text equals `text`; text_of(index) gives the
  // text of the entry added with `index`.
  template <class TextOf>
  std::optional<std::uint32_t> find(std::string_view text, const TextOf& text_of) const {
    const std::uint64_t hash = std::hash<std::string_view>{}(text);
    const std::uint64_t mask = slots_.size() - 1;
    for (std::uint64_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const std::uint64_t entry = slots_[slot];
      if (entry == 0) return std::nullopt;
      const auto index = static_cast<std::uint32_t>(entry) - 1;
      if ((entry >> 32) == (hash >> 32) && text_of(index) == text) return index;
    }
  }

  // REQUIRES: no entry with an equal text was added; index < 2^32 - 1.
  template <class TextOf>
  void add(std::string_view text, std::uint32_t index, const TextOf& text_of) {
    if ((count_ + 1) * 2 > slots_.size()) {
      std::vector<std::uint64_t> old(slots_for(count_ + 1), 0);
      old.swap(slots_);
      for (const std::uint64_t entry : old) {
        if (entry == 0) continue;
        const auto earlier = static_cast<std::uint32_t>(entry) - 1;
        insert(std::hash<std::string_view>{}(text_of(earlier)), earlier);
      }
    }
    insert(std::hash<std::string_view>{}(text), index);
    ++count_;
  }

 private:
  static std::size_t slots_for(std::size_t entries) {
    std::size_t slots = 16;
    while (slots < entries * 2) slots *= 2;
    return slots;
  }
  // A slot: the hash's upper half, then index + 1 (0: empty).
  void insert(std::uint64_t hash, std::uint32_t index) {
    const std::uint64_t mask = slots_.size() - 1;
    std::uint64_t slot = hash & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = (hash >> 32 << 32) | (std::uint64_t{index} + 1);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t count_ = 0;
};

}  // namespace hc::config_detail
