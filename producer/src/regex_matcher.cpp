#include "regex_matcher.h"

#include <re2/re2.h>

#include <stdexcept>

namespace hc::producer {

RegexMatcher::RegexMatcher(const std::string& pattern)
    : pattern_(pattern), compiled_(std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet)) {
  if (!compiled_->ok()) {
    throw std::invalid_argument("regex '" + pattern + "' does not compile: " + compiled_->error());
  }
}

RegexMatcher::~RegexMatcher() = default;

bool RegexMatcher::search(std::string_view body) const {
  return re2::RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), *compiled_);
}

}  // namespace hc::producer
