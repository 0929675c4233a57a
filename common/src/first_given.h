// Which earlier entry of a list gave the same text (the config's duplicate-URL check), without
// a copy of any text: a PositionIndex of the entries' indices, hashed by their text (4-byte
// slots, at most 3/4 full), where a hash map of views took ~72 bytes an entry.
//
// Thread: not thread-safe; one reader of one list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "hc/common/position_index.h"

namespace hc::config_detail {

class FirstGiven {
 public:
  // `expected`: how many entries will be added (the table grows when more are).
  explicit FirstGiven(std::size_t expected) : index_(expected) {}

  // The index of an entry added earlier whose text equals `text`; text_of(index) gives the
  // text of the entry added with `index`.
  template <class TextOf>
  std::optional<std::uint32_t> find(std::string_view text, const TextOf& text_of) const {
    const std::uint32_t found =
        index_.find(hash(text), [&](std::uint32_t index) { return text_of(index) == text; });
    if (found == PositionIndex::kNone) return std::nullopt;
    return found;
  }

  // REQUIRES: no entry with an equal text was added; index < 2^32 - 1.
  template <class TextOf>
  void add(std::string_view text, std::uint32_t index, const TextOf& text_of) {
    index_.insert(hash(text), index, [&](std::uint32_t earlier) { return hash(text_of(earlier)); });
  }

 private:
  static std::uint64_t hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

  PositionIndex index_;
};

}  // namespace hc::config_detail
