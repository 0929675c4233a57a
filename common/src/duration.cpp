#include "hc/common/duration.h"

#include <charconv>

namespace hc {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  long long amount = 0;
  const char* last = text.data() + text.size() - 1;
  auto [end, ec] = std::from_chars(text.data(), last, amount);
  if (ec != std::errc() || end != last || amount <= 0) return std::nullopt;
  // Ten thousand years in any unit stays far inside microseconds since the epoch.
  constexpr long long kMaxSeconds = 10000LL * 366 * 86400;
  long long unit_seconds = 0;
  switch (text.back()) {
    case 's':
      unit_seconds = 1;
      break;
    case 'm':
      unit_seconds = 60;
      break;
    case 'h':
      unit_seconds = 3600;
      break;
    case 'd':
      unit_seconds = 86400;
      break;
    default:
      return std::nullopt;
  }
  if (amount > kMaxSeconds / unit_seconds) return std::nullopt;
  return std::chrono::seconds(amount * unit_seconds);
}

}  // namespace hc
