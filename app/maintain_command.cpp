// `hc maintain`: one run of the consumer's table upkeep, printed.
#include <iostream>

#include "commands.h"
#include "hc/common/clock.h"
#include "hc/store/maintenance.h"

namespace hc::cli {

int maintain(const std::string& path) {
  auto config = load_or_report(path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << path << ": no healthcheck-consumer-config section: nothing to maintain\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  // Waits for the lock a consumer may hold while it does the same work (lock_timeout bounds
  // the wait), so what is printed is the state afterwards.
  for (const auto& upkeep : maintain_tables(*config->consumer, SystemClock().wall_now(), true)) {
    if (!upkeep.error.empty()) {
      std::cerr << "database " << upkeep.database << ": maintenance failed: " << upkeep.error
                << '\n';
      exit_code = kExitFailure;
      continue;
    }
    for (const auto& action : upkeep.actions) std::cout << action << '\n';
    std::cout << "database " << upkeep.database << ": " << upkeep.partitions_created
              << " partitions created, " << upkeep.partitions_dropped << " dropped, "
              << upkeep.rollup_hours_closed << " rollup hours closed\n";
  }
  return exit_code;
}

}  // namespace hc::cli
