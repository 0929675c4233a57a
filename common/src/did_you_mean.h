// "Did you mean ...?" hints for unknown config keys.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hc::config_detail {

// Levenshtein distance (insert, delete, substitute; each costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `unknown` by edit distance, if it is close enough to be a
// plausible typo: at most max(2, candidate length / 3) edits away, or `unknown` is a
// prefix of it that keeps at least half of it ("polling_interval" ->
// "polling_interval_in_seconds"). Ties go to the earlier candidate, so the hint is deterministic.
std::optional<std::string> closest_key(std::string_view unknown,
                                       std::span<const std::string_view> candidates);

}  // namespace hc::config_detail
