#include <charconv>
#include <iostream>

#include "commands.h"
#include "hc/common/clock.h"
#include "hc/consumer/status.h"

namespace hc::cli {

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  long long amount = 0;
  const char* last = text.data() + text.size() - 1;
  auto [end, ec] = std::from_chars(text.data(), last, amount);
  if (ec != std::errc() || end != last || amount <= 0) return std::nullopt;
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(amount);
    case 'm':
      return std::chrono::minutes(amount);
    case 'h':
      return std::chrono::hours(amount);
    case 'd':
      return std::chrono::hours(24 * amount);
    default:
      return std::nullopt;
  }
}

int status(const StatusOptions& options) {
  auto window = parse_duration(options.since);
  if (!window) {
    std::cerr << "hc status: --since expects a duration like 90s, 30m, 1h or 7d, got '"
              << options.since << "'\n";
    return kExitUsage;
  }
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << options.config_path << ": no healthcheck-consumer-config section: no tables\n";
    return kExitUsage;
  }
  std::vector<SiteStatus> sites;
  try {
    sites = read_site_status(*config->consumer, *window, SystemClock().wall_now());
  } catch (const MissingStatusTable& missing) {
    std::cerr << "hc status: " << missing.what() << ": run `hc migrate -c " << options.config_path
              << "` first (the consumer also migrates when it starts)\n";
    return kExitFailure;
  }
  std::cout << (options.json ? render_status_json(sites) : render_status_table(sites));
  return kExitOk;
}

}  // namespace hc::cli
