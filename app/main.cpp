// hc: thin CLI over the producer and consumer libraries.
//
//   hc --producer -c config.yaml      run the producer role
//   hc --consumer -c config.yaml      run the consumer role
//   hc check-config -c config.yaml    validate, print every error, exit 2 on any
//   hc migrate -c config.yaml         create/upgrade every configured table
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "hc/common/config.h"
#include "hc/common/logging.h"
#include "hc/common/signals.h"
#include "hc/consumer/consumer.h"
#include "hc/producer/producer.h"

#ifndef HC_VERSION
#define HC_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitConfigError = 2;

// Loads and validates the config; prints every error to stderr. nullopt on any error.
std::optional<hc::Config> load_or_report(const std::string& path) {
  hc::ConfigLoadResult result = hc::load_config(path, hc::process_environment());
  for (const auto& error : result.errors) std::cerr << error.to_string() << '\n';
  if (!result.ok()) {
    std::cerr << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors")
              << " in " << path << '\n';
  }
  return result.config;
}

std::string default_producer_id() {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

std::optional<hc::ShardSpec> parse_shard(const std::string& text) {
  int index = 0;
  int count = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &index, &count, &tail) != 2 || count < 1 ||
      index < 0 || index >= count) {
    return std::nullopt;
  }
  return hc::ShardSpec{index, count};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hc: website health checks -> Kafka -> PostgreSQL.\n"
      "Run one role per process: the producer checks sites and publishes to Kafka; the\n"
      "consumer (a consumer group member) upserts messages into PostgreSQL tables."};
  app.set_version_flag("--version", std::string("hc ") + HC_VERSION);

  std::string config_path = "config.yaml";
  bool producer = false;
  bool consumer = false;
  std::string log_level = "info";
  std::string log_format = "text";
  std::string metrics_address;
  std::string shard_text;

  app.add_flag("--producer", producer, "Run the producer: check every site, publish to Kafka");
  app.add_flag("--consumer", consumer, "Run the consumer: Kafka -> PostgreSQL tables");
  app.add_option("-c,--config", config_path, "Config file (YAML)")->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--log-format", log_format, "text (for people) or json (one object per line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--metrics-addr", metrics_address,
                 "Serve /metrics (Prometheus) and /healthz on HOST:PORT");
  app.add_option("--shard", shard_text,
                 "Producer only: I/N, check only the sites whose URL hash falls in shard I of N");

  auto* check_config = app.add_subcommand(
      "check-config", "Validate the config file; print every error; exit 2 on any error");
  check_config->add_option("-c,--config", config_path, "Config file (YAML)")
      ->capture_default_str();
  auto* migrate = app.add_subcommand(
      "migrate", "Create or upgrade every table of healthcheck-consumer-config, then exit");
  migrate->add_option("-c,--config", config_path, "Config file (YAML)")->capture_default_str();
  app.require_subcommand(0, 1);

  CLI11_PARSE(app, argc, argv);

  std::string role = producer ? "producer" : consumer ? "consumer" : "hc";
  hc::init_logging(log_format == "json" ? hc::LogFormat::kJson : hc::LogFormat::kText,
                   spdlog::level::from_str(log_level), role);

  if (check_config->parsed()) {
    auto config = load_or_report(config_path);
    if (!config) return kExitConfigError;
    std::cout << config_path << ": OK: " << hc::summarize(*config) << '\n';
    return 0;
  }
  if (producer == consumer && !migrate->parsed()) {
    std::cerr << "hc: choose one role: --producer or --consumer (or a subcommand; see --help)\n";
    return kExitConfigError;
  }

  auto config = load_or_report(config_path);
  if (!config) return kExitConfigError;

  try {
    if (migrate->parsed()) {
      if (!config->consumer) {
        std::cerr << config_path << ": no healthcheck-consumer-config section: nothing to migrate\n";
        return kExitConfigError;
      }
      hc::migrate_all(*config->consumer);
      return 0;
    }
    // Block the signals before any library starts a thread.
    hc::StopControl control;
    hc::SignalWatcher watcher(control);
    if (producer) {
      if (!config->producer) {
        std::cerr << config_path << ": no healthcheck-producer-config section\n";
        return kExitConfigError;
      }
      hc::ProducerOptions options{default_producer_id(), std::nullopt, metrics_address};
      if (!shard_text.empty()) {
        options.shard = parse_shard(shard_text);
        if (!options.shard) {
          std::cerr << "hc: --shard expects I/N with 0 <= I < N, got '" << shard_text << "'\n";
          return kExitConfigError;
        }
      }
      return hc::run_producer(*config, control, options);
    }
    if (!config->consumer) {
      std::cerr << config_path << ": no healthcheck-consumer-config section\n";
      return kExitConfigError;
    }
    return hc::run_consumer(*config->consumer, control, hc::ConsumerOptions{metrics_address});
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
    return 1;
  }
}
