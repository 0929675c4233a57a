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
      : config_path_(std::move(config_path)), websites_(std::move(websites)) {}

  std::vector<SiteConfig> initial_sites() override { return websites_; }
  void poll(SiteListener& /*listener*/, std::chrono::milliseconds /*wait*/) override {}
  void reload(SiteListener& listener) override;
  void close(SiteListener& /*listener*/) override {}

 private:
  std::filesystem::path config_path_;
  std::vector<SiteConfig> websites_;
};

}  // namespace hc::producer
