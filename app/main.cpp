// hc: thin CLI over the producer and consumer libraries. Parses flags, then hands over
// to exactly one command of commands.h.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "hc/common/logging.h"
#include "hc/common/site_json.h"
#include "role_help.h"

#ifndef HC_VERSION
#define HC_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace hc::cli;
  CLI::App app{
      "hc: website health checks -> Kafka -> PostgreSQL.\n"
      "Run one role per process: the producer checks every site on its interval and\n"
      "publishes one JSON message per check; the consumer (a consumer-group member)\n"
      "upserts them into PostgreSQL tables. Exit codes: 0 ok, 1 failure, 2 bad config/usage."};
  app.set_version_flag("--version", std::string("hc ") + HC_VERSION);

  std::string config_path = "config.yaml";
  bool producer = false;
  bool consumer = false;
  std::string log_level = "info";
  std::string log_format = "text";
  RoleOptions role_options;
  TopicsCreateOptions topics_options;

  app.add_flag("--producer", producer, "Run the producer: check every site, publish to Kafka");
  app.add_flag("--consumer", consumer, "Run the consumer: Kafka -> PostgreSQL tables");
  app.add_option("-c,--config", config_path, "Config file (YAML)")->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-format", log_format, "text (for people) or json (one object per line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--metrics-addr", role_options.metrics_address,
                 "Serve /metrics (Prometheus) and /healthz on HOST:PORT: 127.0.0.1:9464 for this "
                 "host only; :PORT or 0.0.0.0:PORT listens on every interface");
  app.add_option("--shard", role_options.shard,
                 "Producer only: I/N, check only the sites whose URL hash falls in shard I of N");

  auto* check_config_command = app.add_subcommand(
      "check-config", "Validate the config file; print every error; exit 2 on any error");
  check_config_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();

  auto* migrate_command = app.add_subcommand(
      "migrate", "Create or upgrade every table of healthcheck-consumer-config, then exit");
  migrate_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();

  auto* maintain_command = app.add_subcommand(
      "maintain",
      "Table upkeep once, then exit: create the partitions ahead, drop those wholly older "
      "than retention_days and close the hourly rollups of ended hours, for every measurements "
      "table; prints each action (the consumer does the same every "
      "maintenance_interval_seconds)");
  maintain_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();

  auto* topics_command = app.add_subcommand("topics", "Manage the configured Kafka topics");
  auto* topics_create_command = topics_command->add_subcommand(
      "create",
      "Create every topic the config names: the producer's, the consumer's and hc notify's, with "
      "their dead-letter topics (existing: ok)");
  topics_command->require_subcommand(1);
  topics_create_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  topics_create_command->add_option("--partitions", topics_options.partitions)
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  topics_create_command->add_option("--replication-factor", topics_options.replication_factor)
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  StatusOptions status_options;
  std::string status_format = "table";
  auto* status_command = app.add_subcommand(
      "status", "Per-site summary from the consumer's tables: last status, uptime, p50/p95");
  status_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  status_command->add_option("--since", status_options.since, "Window: 90s, 30m, 1h, 7d")
      ->capture_default_str();
  status_command->add_option("--format", status_format, "table or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));

  ReportOptions report_options;
  auto* report_command = app.add_subcommand(
      "report",
      "SLA report of a calendar month (UTC) per site: uptime, downtime, outages, longest "
      "outage, p95");
  report_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  report_command->add_option("--month", report_options.month, "The month, YYYY-MM")->required();
  report_command->add_option("--format", report_options.format, "table, csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}));

  ServeOptions serve_options;
  auto* serve_command = app.add_subcommand(
      "serve",
      "Serve the status page (/), each site's page (/sites/{url}), badges (/badges/...) and "
      "JSON API (/api/v1/status, /api/v1/sites/{url}/history, /api/v1/report) from the "
      "consumer's tables, and the admin API: sites of the sites topic (/api/v1/sites, "
      "/api/v1/sites/{url}: GET, PUT, DELETE), runtime silences (/api/v1/silences: GET, "
      "POST, DELETE /{id}) and the producer fleet (/api/v1/fleet). Writes need "
      "'Authorization: Bearer TOKEN' with healthcheck-serve-config.api_token (refused while "
      "none is set). With a healthcheck-notify-config section the pages show the silences "
      "that cover a site, current or within 7 days, as maintenance (the config's and the "
      "silences topic's, followed in the background). Runs until SIGINT/SIGTERM");
  serve_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  serve_command
      ->add_option("--listen", serve_options.listen,
                   "HOST:PORT to listen on (port 0: any free port); loopback unless "
                   "--allow-remote")
      ->capture_default_str();
  serve_command->add_flag("--allow-remote", serve_options.allow_remote,
                          "Allow a listen address beyond loopback: the pages and the API's "
                          "reads have no authentication and show every monitored URL and its "
                          "errors; the token travels in clear text (put TLS in front)");

  RoleOptions notify_options;
  auto* notify_command = app.add_subcommand(
      "notify",
      "Tell people about state changes: a consumer-group member (notify_group) on the events "
      "topics of healthcheck-notify-config that sends each change to its routes' channels "
      "(webhook, slack, teams, pagerduty, email), at least once, until SIGINT/SIGTERM");
  notify_command->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  notify_command->add_option("--metrics-addr", notify_options.metrics_address,
                             "Serve /metrics (Prometheus) and /healthz on HOST:PORT");

  int topics_timeout_ms = 15000;
  int topics_retention_hours = 0;
  topics_create_command
      ->add_option("--retention-hours", topics_retention_hours,
                   "Keep measurement messages this long (retention.ms of the destination and "
                   "source topics; events topics are compacted, dead-letter topics keep the "
                   "broker's default). Default: the broker's log.retention")
      ->check(CLI::Range(1, 24 * 3650));
  topics_create_command
      ->add_option("--timeout-ms", topics_timeout_ms,
                   "Give up after this long (the whole command: the clusters of all sections are "
                   "asked at once)")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));

  SitesOptions sites_options;
  std::string sites_format = "table";
  int sites_timeout_ms = 15000;
  auto* sites_command = app.add_subcommand(
      "sites",
      "Fleet mode: manage the sites topic (sites_topic) that the producers of producer_group "
      "share; values are validated as websites entries");
  sites_command->require_subcommand(1);
  auto add_sites_options = [&](CLI::App* command) {
    command->add_option("-c,--config", config_path, "Config file (YAML) with sites_topic")
        ->capture_default_str();
    command->add_option("--kafka-timeout-ms", sites_timeout_ms, "Give up on Kafka after this long")
        ->capture_default_str()
        ->check(CLI::Range(100, 600000));
  };
  auto* sites_add_command = sites_command->add_subcommand(
      "add",
      "Add or replace a site: URL plus one flag per site key (JSON values where needed: "
      "--headers '{\"X-A\":\"1\"}', --expected-status '[200,301]')");
  add_sites_options(sites_add_command);
  sites_add_command->add_option("url", sites_options.url, "The URL to check")->required();
  const std::span<const std::string_view> setting_keys = hc::site_setting_keys();
  std::vector<std::string> setting_texts(setting_keys.size());
  std::vector<CLI::Option*> setting_options;
  for (std::size_t i = 0; i < setting_keys.size(); ++i) {
    std::string flag = "--" + std::string(setting_keys[i]);
    std::replace(flag.begin(), flag.end(), '_', '-');
    setting_options.push_back(sites_add_command->add_option(
        flag, setting_texts[i], "Site key " + std::string(setting_keys[i])));
  }
  auto* sites_remove_command =
      sites_command->add_subcommand("remove", "Remove a site (publishes a tombstone)");
  add_sites_options(sites_remove_command);
  sites_remove_command->add_option("url", sites_options.url, "The URL to remove")->required();
  auto* sites_list_command =
      sites_command->add_subcommand("list", "List the sites of the sites topic");
  add_sites_options(sites_list_command);
  sites_list_command->add_option("--format", sites_format, "table or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));
  auto* sites_import_command = sites_command->add_subcommand(
      "import", "Publish the websites of a config file: only what changed");
  add_sites_options(sites_import_command);
  sites_import_command
      ->add_option("file", sites_options.file, "Config file whose producer section has websites")
      ->required();
  sites_import_command->add_flag("--prune", sites_options.prune,
                                 "Also remove the sites that the file does not list");
  sites_import_command->add_flag("--dry-run", sites_options.dry_run,
                                 "Print the changes (+ added, ~ changed, - removed) only");

  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    // `hc --producer --help` / `hc --consumer --help`: the role's own help, not the
    // general one (subcommands print their own help through CLI11).
    if (app.get_subcommands().empty()) {
      const std::vector<std::string> args(argv + 1, argv + argc);
      for (const std::string_view role : {"producer", "consumer"}) {
        if (std::find(args.begin(), args.end(), "--" + std::string(role)) != args.end()) {
          std::cout << role_help(role);
          return kExitOk;
        }
      }
    }
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  std::string role = producer                   ? "producer"
                     : consumer                 ? "consumer"
                     : notify_command->parsed() ? "notify"
                                                : "hc";
  hc::init_logging(log_format == "json" ? hc::LogFormat::kJson : hc::LogFormat::kText,
                   spdlog::level::from_str(log_level), role);
  role_options.config_path = config_path;
  topics_options.config_path = config_path;
  topics_options.timeout = std::chrono::milliseconds(topics_timeout_ms);
  if (topics_retention_hours > 0) {
    topics_options.measurements_retention = std::chrono::hours(topics_retention_hours);
  }
  status_options.config_path = config_path;
  status_options.json = status_format == "json";
  serve_options.config_path = config_path;
  report_options.config_path = config_path;
  notify_options.config_path = config_path;

  try {
    if (check_config_command->parsed()) return check_config(config_path);
    if (migrate_command->parsed()) return migrate(config_path);
    if (maintain_command->parsed()) return maintain(config_path);
    if (topics_create_command->parsed()) return topics_create(topics_options);
    if (status_command->parsed()) return status(status_options);
    if (report_command->parsed()) return report(report_options);
    if (sites_command->parsed()) {
      sites_options.config_path = config_path;
      sites_options.json = sites_format == "json";
      sites_options.timeout = std::chrono::milliseconds(sites_timeout_ms);
      for (std::size_t i = 0; i < setting_keys.size(); ++i) {
        if (setting_options[i]->count() > 0) {
          sites_options.settings.emplace_back(setting_keys[i], setting_texts[i]);
        }
      }
      sites_options.action = sites_add_command->parsed()      ? SitesOptions::Action::kAdd
                             : sites_remove_command->parsed() ? SitesOptions::Action::kRemove
                             : sites_import_command->parsed() ? SitesOptions::Action::kImport
                                                              : SitesOptions::Action::kList;
      return sites(sites_options);
    }
    if (serve_command->parsed()) return serve(serve_options);
    if (notify_command->parsed()) return run_notify_role(notify_options);
    if (producer == consumer) {
      std::cerr << "hc: choose one role, --producer or --consumer, or a subcommand (see --help)\n";
      return kExitUsage;
    }
    return producer ? run_producer_role(role_options) : run_consumer_role(role_options);
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
    return kExitFailure;
  }
}
