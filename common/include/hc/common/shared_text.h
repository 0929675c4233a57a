// Immutable text shared by its copies, for the settings a config repeats over thousands of
// sites (a method, a topic, a pattern, a TLS file): an 8-byte handle to one reference-counted
// block instead of a 32-byte std::string each. A TextPool makes equal texts share one block.
//
// Thread: a SharedText is immutable; copies on several threads at once are safe (the count is
// atomic). A TextPool is not thread-safe: one owner.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_set>

namespace hc {

class SharedText {
 public:
  SharedText() = default;  // ""
  // Implicit, so a setting reads like a std::string: site.method = "POST".
  SharedText(const char* text)
      : SharedText(std::string(text)) {}  // NOLINT(google-explicit-constructor)
  SharedText(std::string text);           // NOLINT(google-explicit-constructor)
  explicit SharedText(std::string_view text) : SharedText(std::string(text)) {}
  SharedText(const SharedText& other) noexcept;
  SharedText(SharedText&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
  SharedText& operator=(const SharedText& other) noexcept;
  SharedText& operator=(SharedText&& other) noexcept;
  ~SharedText();

  const std::string& str() const;
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  std::string_view view() const { return str(); }
  const char* c_str() const { return str().c_str(); }
  std::size_t size() const { return str().size(); }
  bool empty() const { return block_ == nullptr; }  // "" is never given a block
  bool starts_with(std::string_view prefix) const { return view().starts_with(prefix); }
  // Handles of one block (copies, or texts a TextPool made equal); for tests and the pool.
  bool shares_block_with(const SharedText& other) const { return block_ == other.block_; }
  // Handles of this block, this one included (0 for ""). Approximate while other threads copy.
  std::size_t use_count() const;

  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.block_ == b.block_ || a.view() == b.view();
  }
  friend bool operator==(const SharedText& a, const char* b) { return a.view() == b; }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.view() == b; }
  friend auto operator<=>(const SharedText& a, const SharedText& b) {
    return a.view() <=> b.view();
  }

 private:
  struct Block;
  Block* block_ = nullptr;  // nullptr: ""
};

std::ostream& operator<<(std::ostream& out, const SharedText& text);

// Gives equal texts one block: intern() returns the pool's handle of an equal text (adding
// `text` when it has none). The pool keeps its blocks alive; prune() lets go of those no
// setting uses any more.
class TextPool {
 public:
  SharedText intern(const SharedText& text);
  void intern_in_place(SharedText& text) { text = intern(text); }
  // Forgets the texts only the pool holds.
  void prune();
  std::size_t size() const { return texts_.size(); }

 private:
  struct Hash {
    std::size_t operator()(const SharedText& text) const noexcept {
      return std::hash<std::string_view>{}(text.view());
    }
  };
  std::unordered_set<SharedText, Hash> texts_;
};

}  // namespace hc

template <>
struct fmt::formatter<hc::SharedText> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const hc::SharedText& text, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(text.view(), context);
  }
};
