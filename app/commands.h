// The commands of the hc CLI. main.cpp parses flags and calls exactly one of these; each
// returns the process exit code (0 ok, 1 runtime failure, 2 bad config or usage).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/config.h"

namespace hc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// How load_or_report treats icmp sites: kProbe (check-config, the producer) also checks that
// this process can open an ICMP socket (an error at each icmp site's url when it cannot).
enum class IcmpAccess { kIgnore, kProbe };
// Loads and validates a config file, printing every error to stderr; nullopt on any error.
std::optional<Config> load_or_report(const std::string& path,
                                     IcmpAccess icmp_access = IcmpAccess::kIgnore);

int check_config(const std::string& path);
int migrate(const std::string& path);
// Creates the partitions ahead and drops expired ones for every route, printing each action.
int maintain(const std::string& path);

struct RoleOptions {
  std::string config_path;
  std::string metrics_address;
  std::string shard;  // "I/N" or empty
};
int run_producer_role(const RoleOptions& options);
int run_consumer_role(const RoleOptions& options);
// `hc notify`: options.shard is unused.
int run_notify_role(const RoleOptions& options);

struct TopicsCreateOptions {
  std::string config_path;
  int partitions = 6;
  int replication_factor = 3;
  std::optional<std::chrono::hours> measurements_retention;  // none: the broker's default
  std::chrono::milliseconds timeout{15000};
};
int topics_create(const TopicsCreateOptions& options);

struct StatusOptions {
  std::string config_path;
  std::string since = "1h";  // window of the aggregates: 90s, 30m, 1h, 7d
  bool json = false;
};
int status(const StatusOptions& options);

struct ReportOptions {
  std::string config_path;
  std::string month;             // "YYYY-MM" (UTC)
  std::string format = "table";  // table, csv or json
};
// The SLA report of one month (month_report.h); 2 for a bad month or config.
int report(const ReportOptions& options);

struct ServeOptions {
  std::string config_path;
  std::string listen = "127.0.0.1:8080";
  bool allow_remote = false;  // listen beyond loopback
};
// Serves the status page and JSON API until SIGINT/SIGTERM; 2 for a bad config or address.
int serve(const ServeOptions& options);

// `hc sites add|remove|list|import`: manage the sites topic of a fleet-mode config.
struct SitesOptions {
  enum class Action { kAdd, kRemove, kList, kImport };
  Action action = Action::kList;
  std::string config_path;
  std::string url;  // add, remove
  // add: (site key, flag text) for each site flag given; the text is JSON where it parses as
  // JSON (5, true, [..], {..}), else a string.
  std::vector<std::pair<std::string, std::string>> settings;
  bool json = false;     // list --format json
  std::string file;      // import: a config file whose producer section has `websites`
  bool prune = false;    // import: remove the sites the file does not list
  bool dry_run = false;  // import: print the changes, publish nothing
  std::chrono::milliseconds timeout{15000};
};
int sites(const SitesOptions& options);

}  // namespace hc::cli
