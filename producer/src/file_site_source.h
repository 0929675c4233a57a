// File mode: the sites are the config's `websites`; SIGHUP re-reads the file and an invalid
// file keeps the previous sites (its errors logged).
#pragma once

#include <filesystem>
#include <vector>

#include "site_source.h"

namespace hc::producer {

class FileSiteSource : public SiteSource {
 public:
  FileSiteSource(std::filesystem::path config_path, std::vector<SiteConfig> websites)
      : config_path_(std::move(config_path)),
        site_count_(websites.size()),
        websites_(std::move(websites)) {}

  // Hands the list over: the producer's plans hold the only copy of each site.
  std::vector<SiteConfig> initial_sites() override { return std::move(websites_); }
  void poll(SiteListener& /*listener*/, std::chrono::milliseconds /*wait*/) override {}
  void reload(SiteListener& listener) override;
  void close(SiteListener& /*listener*/) override {}

 private:
  std::filesystem::path config_path_;
  std::size_t site_count_;            // of the list in use, for the log
  std::vector<SiteConfig> websites_;  // until initial_sites()
};

}  // namespace hc::producer
