#include "file_site_source.h"

#include <spdlog/spdlog.h>

#include "hc/common/icmp_socket.h"

namespace hc::producer {

void FileSiteSource::reload(SiteListener& listener) {
  spdlog::info("SIGHUP: reloading sites from {}", config_path_.string());
  ConfigLoadResult loaded = load_config(config_path_, process_environment(),
                                        [] { return icmp_socket_problem(system_socket_opener()); });
  if (!loaded.ok() || !loaded.config->producer || !loaded.config->producer->sites_topic.empty()) {
    for (const ConfigError& error : loaded.errors) spdlog::error("{}", error.to_string());
    if (loaded.ok() && !loaded.config->producer) {
      spdlog::error("{}: no healthcheck-producer-config section", config_path_.string());
    } else if (loaded.ok()) {
      spdlog::error("{}: sites_topic set: fleet mode needs a restart", config_path_.string());
    }
    spdlog::error("reload failed; still checking the previous {} sites", site_count_);
    return;
  }
  site_count_ = loaded.config->producer->websites.size();
  listener.use_sites(loaded.config->producer->websites, false);
}

}  // namespace hc::producer
