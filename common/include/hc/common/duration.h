// Durations as people type them on the command line and in URLs: "90s", "30m", "1h", "7d".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hc {

// A positive whole number followed by one unit: s, m, h or d (24 h). nullopt when malformed,
// not positive, or too large to count in microseconds.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace hc
