#include <iostream>
#include <utility>

#include "commands.h"
#include "hc/common/icmp_socket.h"
#include "hc/store/migrate.h"

namespace hc::cli {

std::optional<Config> load_or_report(const std::string& path, IcmpAccess icmp_access) {
  IcmpAccessProbe probe;
  if (icmp_access == IcmpAccess::kProbe) {
    probe = [] { return icmp_socket_problem(system_socket_opener()); };
  }
  ConfigLoadResult result = load_config(path, process_environment(), probe);
  for (const auto& error : result.errors) std::cerr << error.to_string() << '\n';
  if (!result.ok()) {
    std::cerr << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors")
              << " in " << path << '\n';
  }
  // Moved, not copied: a member is not moved implicitly, and a copy of 50,000 sites costs
  // 23 MB at the peak of every command.
  return std::move(result.config);
}

int check_config(const std::string& path) {
  auto config = load_or_report(path, IcmpAccess::kProbe);
  if (!config) return kExitUsage;
  std::cout << path << ": OK: " << summarize(*config) << '\n';
  return kExitOk;
}

int migrate(const std::string& path) {
  auto config = load_or_report(path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << path << ": no healthcheck-consumer-config section: nothing to migrate\n";
    return kExitUsage;
  }
  migrate_all(*config->consumer);
  return kExitOk;
}

}  // namespace hc::cli
