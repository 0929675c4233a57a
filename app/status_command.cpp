#include <iostream>

#include "commands.h"
#include "hc/common/clock.h"
#include "hc/common/duration.h"
#include "hc/store/status.h"

namespace hc::cli {

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
  std::vector<SiteSummary> sites;
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
