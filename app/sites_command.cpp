// `hc sites`: the sites topic of fleet mode, managed from the command line. Every value is
// validated as a `websites` entry (site_json.h) before it is published.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "commands.h"
#include "hc/common/site_json.h"
#include "hc/common/sites_topic.h"

namespace hc::cli {
namespace {

std::string flag_of(std::string_view key) {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

// "tls.ca_file" -> "--tls: ca_file"; "" -> "".
std::string flag_path(const std::string& key_path) {
  if (key_path.empty() || key_path == "url") return key_path.empty() ? "" : "URL";
  const std::size_t dot = key_path.find_first_of(".[");
  if (dot == std::string::npos) return flag_of(key_path);
  return flag_of(key_path.substr(0, dot)) + ": " + key_path.substr(dot + (key_path[dot] == '.'));
}

// The fleet-mode producer section of the config, or nullopt (reported).
std::optional<ProducerConfig> fleet_section(const std::string& path) {
  auto config = load_or_report(path);
  if (!config) return std::nullopt;
  if (!config->producer || config->producer->sites_topic.empty()) {
    std::cerr << path
              << ": hc sites needs a healthcheck-producer-config section with sites_topic "
                 "(fleet mode)\n";
    return std::nullopt;
  }
  return config->producer;
}

SitesTopicRead read_or_report(const ProducerConfig& producer, const SitesOptions& options) {
  SitesTopicRead read = read_sites_topic(producer.kafka, producer.sites_topic, options.timeout);
  if (!read.complete) {
    std::cerr << "hc sites: cannot read " << producer.sites_topic << ": " << read.problem << '\n';
  }
  return read;
}

int publish_or_report(const ProducerConfig& producer,
                      const std::vector<SiteRecordToPublish>& records,
                      const SitesOptions& options) {
  if (records.empty()) return kExitOk;
  const std::vector<std::string> failures =
      publish_site_records(producer.kafka, producer.sites_topic, records, options.timeout);
  for (const std::string& failure : failures) {
    std::cerr << "hc sites: not published: " << failure << '\n';
  }
  return failures.empty() ? kExitOk : kExitFailure;
}

int add(const ProducerConfig& producer, const SitesOptions& options) {
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
  for (const auto& [key, text] : options.settings) {
    nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(text, nullptr, false);
    settings[key] = parsed.is_discarded() ? nlohmann::ordered_json(text) : parsed;
  }
  const SiteValue prepared = prepare_site_value(
      options.url, settings.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
      producer, "hc sites add");
  for (const ConfigError& error : prepared.errors) {
    const std::string where = flag_path(error.key_path);
    std::cerr << "hc sites add: " << (where.empty() ? "" : where + ": ") << error.message << '\n';
  }
  if (!prepared.value) return kExitUsage;
  const int published = publish_or_report(producer, {{options.url, *prepared.value}}, options);
  if (published == kExitOk) std::cout << "published " << options.url << '\n';
  return published;
}

int remove(const ProducerConfig& producer, const SitesOptions& options) {
  SitesTopicRead read = read_or_report(producer, options);
  if (!read.complete) return kExitFailure;
  if (!read.sites.sites().contains(options.url)) {
    std::cerr << "hc sites remove: " << options.url << " is not in " << producer.sites_topic
              << '\n';
    return kExitFailure;
  }
  const int published = publish_or_report(producer, {{options.url, std::nullopt}}, options);
  if (published == kExitOk) std::cout << "removed " << options.url << '\n';
  return published;
}

int list(const ProducerConfig& producer, const SitesOptions& options) {
  SitesTopicRead read = read_or_report(producer, options);
  if (!read.complete) return kExitFailure;
  if (options.json) {
    std::cout << list_sites_json(read.sites, producer, producer.sites_topic, 2) << '\n';
    return kExitOk;
  }
  std::vector<std::array<std::string, 4>> rows;
  for (const auto& [url, record] : read.sites.sites()) {
    SiteDecodeResult decoded = decode_site_json(
        url, record.value, producer,
        fmt::format("{}[{}]@{}", producer.sites_topic, record.partition, record.offset));
    if (decoded.site) {
      rows.push_back({url, std::to_string(decoded.site->polling_interval.count()) + "s",
                      decoded.site->destination_topic, decoded.site->regex.value_or("")});
    } else {
      rows.push_back({url, "-", "-", "INVALID: " + decoded.errors.front().to_string()});
    }
  }
  std::array<std::size_t, 4> widths = {3, 8, 5, 5};
  const std::array<std::string, 4> header = {"URL", "INTERVAL", "TOPIC", "REGEX"};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < 3; ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto print = [&](const std::array<std::string, 4>& row) {
    std::cout << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", row[0], widths[0], row[1], widths[1],
                             row[2], widths[2], row[3]);
  };
  print(header);
  for (const auto& row : rows) print(row);
  std::cout << rows.size() << (rows.size() == 1 ? " site" : " sites") << " in "
            << producer.sites_topic << '\n';
  return kExitOk;
}

// Publishes what differs between the file's `websites` and the topic: added and changed sites
// (compared as decoded over this config's defaults), and with --prune tombstones for the rest.
int import(const ProducerConfig& producer, const SitesOptions& options) {
  auto file = load_or_report(options.file);
  if (!file) return kExitUsage;
  if (!file->producer || file->producer->websites.empty()) {
    std::cerr << options.file << ": no healthcheck-producer-config.websites to import\n";
    return kExitUsage;
  }
  SitesTopicRead read = read_or_report(producer, options);
  if (!read.complete) return kExitFailure;
  std::vector<SiteRecordToPublish> records;
  std::set<std::string> in_file;
  std::size_t added = 0;
  std::size_t changed = 0;
  std::size_t removed = 0;
  std::size_t unchanged = 0;
  for (const SiteConfig& site : file->producer->websites) {
    in_file.insert(site.url);
    std::string value = encode_site_json(site);
    SiteDecodeResult wanted = decode_site_json(site.url, value, producer, options.file);
    if (!wanted.site) {
      for (const ConfigError& error : wanted.errors) std::cerr << error.to_string() << '\n';
      return kExitUsage;
    }
    auto current = read.sites.sites().find(site.url);
    if (current != read.sites.sites().end()) {
      SiteDecodeResult existing = decode_site_json(site.url, current->second.value, producer, "");
      if (existing.site && *existing.site == *wanted.site) {
        ++unchanged;
        continue;
      }
    }
    const bool is_new = current == read.sites.sites().end();
    ++(is_new ? added : changed);
    std::cout << (is_new ? "+ " : "~ ") << site.url << '\n';
    records.emplace_back(site.url, std::move(value));
  }
  if (options.prune) {
    for (const auto& [url, record] : read.sites.sites()) {
      if (in_file.contains(url)) continue;
      ++removed;
      std::cout << "- " << url << '\n';
      records.emplace_back(url, std::nullopt);
    }
  }
  std::cout << fmt::format("{}{} added, {} changed, {} removed, {} unchanged\n",
                           options.dry_run ? "dry run, nothing published: " : "", added, changed,
                           removed, unchanged);
  if (options.dry_run) return kExitOk;
  return publish_or_report(producer, records, options);
}

}  // namespace

int sites(const SitesOptions& options) {
  auto producer = fleet_section(options.config_path);
  if (!producer) return kExitUsage;
  switch (options.action) {
    case SitesOptions::Action::kAdd:
      return add(*producer, options);
    case SitesOptions::Action::kRemove:
      return remove(*producer, options);
    case SitesOptions::Action::kList:
      return list(*producer, options);
    case SitesOptions::Action::kImport:
      return import(*producer, options);
  }
  return kExitUsage;
}

}  // namespace hc::cli
