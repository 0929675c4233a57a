// A site's body pattern (RE2), compiled once when the site is loaded and searched in each
// captured body. RE2 runs in time linear in the body size, so a hostile page cannot stall
// the loop with backtracking.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace hc::producer {

class RegexMatcher {
 public:
  // Throws std::invalid_argument with RE2's message if the pattern does not compile
  // (load_config already rejects such patterns, so this is a bug guard).
  explicit RegexMatcher(const std::string& pattern);
  ~RegexMatcher();
  RegexMatcher(const RegexMatcher&) = delete;
  RegexMatcher& operator=(const RegexMatcher&) = delete;

  // True if the pattern matches anywhere in body (unanchored). Thread-safe (RE2 is).
  bool search(std::string_view body) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::unique_ptr<re2::RE2> compiled_;
};

}  // namespace hc::producer
