#include "hc/consumer/consumer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <thread>

#include "consumer_loop.h"
#include "consumer_metrics.h"
#include "dead_letter.h"
#include "group_consumer.h"
#include "hc/common/metrics_server.h"
#include "hc/store/maintenance.h"
#include "hc/store/migrate.h"
#include "hc/store/pg_connection.h"
#include "maintenance_thread.h"
#include "pg_sink.h"
#include "router.h"

namespace hc {

namespace {

// Kafka and PostgreSQL: the parts of a running consumer (tests build loops from fakes).
consumer::ConsumerParts kafka_and_postgres_parts(const ConsumerConfig& config) {
  consumer::ConsumerParts parts;
  parts.make_group = [&config](const std::vector<std::string>& topics,
                               consumer::RebalanceListener& listener) {
    return std::make_unique<consumer::GroupConsumer>(config, topics, listener);
  };
  parts.make_dead_letters = [&config](consumer::ConsumerStats& stats) {
    return std::make_unique<consumer::DeadLetterProducer>(config.kafka, stats);
  };
  parts.make_row_sink = [session = config.session](const std::string& connection_string,
                                                   const std::vector<TableSpec>& tables) {
    return std::make_unique<consumer::PgSink>(connection_string, tables, session);
  };
  parts.clock = std::make_shared<SystemClock>();
  return parts;
}

// Migrates every database; the databases may come up after us (compose, restarts): waits
// for them rather than exit and crash-loop, logging each distinct error once. Returns false
// if a stop was requested first.
bool migrate_when_reachable(const ConsumerConfig& config, StopControl& control,
                            consumer::ConsumerMetrics& metrics) {
  std::string last_error;
  auto backoff = std::chrono::milliseconds(200);
  while (true) {
    try {
      migrate_all(config);
      return true;
    } catch (const std::exception& error) {
      if (error.what() != last_error) {
        spdlog::error("{}; retrying until the database is reachable", error.what());
        last_error = error.what();
        metrics.set_starting("waiting for the database: " + last_error);
      }
    }
    auto until = std::chrono::steady_clock::now() + backoff;
    while (!control.stop_requested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (control.stop_requested()) return false;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
}

}  // namespace

int run_consumer(const ConsumerConfig& config, StopControl& control,
                 const ConsumerOptions& options) {
  // Serves from the start, so that a probe sees "starting: <why>" rather than a refused
  // connection while the databases are waited for.
  consumer::ConsumerMetrics metrics;
  std::optional<MetricsServer> metrics_server;
  if (!options.metrics_address.empty()) {
    metrics_server.emplace(options.metrics_address, metrics.collectable(),
                           [&metrics] { return metrics.problem(); });
    spdlog::info("serving /metrics and /healthz on {}", options.metrics_address);
  }
  metrics.set_starting("migrating the tables");
  if (!migrate_when_reachable(config, control, metrics)) return 0;
  consumer::ConsumerLoop loop(config, control, kafka_and_postgres_parts(config));
  const auto attached = metrics.attach(loop.stats());  // detached before the loop goes
  // Stopped before the loop goes (it counts into the loop's stats).
  const consumer::MaintenanceThread upkeep(
      config.maintenance_interval,
      [&config] { return maintain_tables(config, SystemClock().wall_now(), false); }, loop.stats());
  return loop.run();
}

}  // namespace hc
