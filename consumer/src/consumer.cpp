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
#include "pg_connection.h"
#include "pg_migrations.h"
#include "pg_sink.h"
#include "rollups.h"
#include "router.h"

namespace hc {
namespace {

// The rollup retention of `table` in database `uri`: the largest of its routes' (0, forever,
// is the largest).
int rollup_retention_days(const ConsumerConfig& config, const std::string& uri,
                          const std::string& table) {
  int days = 0;
  for (const TopicSinkConfig& route : config.topics) {
    if (route.connection_uri != uri || route.table_name != table) continue;
    if (route.rollup_retention_days == 0) return 0;
    days = std::max(days, route.rollup_retention_days);
  }
  return days;
}

// Closes the ended hours of every table of database `d` (rollups.h). Logged; never throws.
void close_rollups(const ConsumerConfig& config, const consumer::Router& router, std::size_t d) {
  const std::string& uri = router.database_uris()[d];
  const consumer::ConnectionTarget target =
      consumer::connection_target(uri, consumer::session_settings(config));
  std::string current;
  try {
    std::unique_ptr<pqxx::connection> connection = consumer::open_connection(target);
    for (const std::string& table : router.tables_of(d)) {
      current = table;
      const consumer::RollupClose closed = consumer::close_hourly_rollups(
          *connection, table, SystemClock().wall_now(), rollup_retention_days(config, uri, table));
      spdlog::info(
          "table {} in database {}: hourly rollups closed up to {} ({} hours recomputed, {} rows "
          "written, {} expired)",
          table, target.name, format_timestamp(closed.closed_until), closed.hours_closed,
          closed.rows_written, closed.rows_expired);
    }
  } catch (const std::exception& error) {
    spdlog::warn(
        "closing the hourly rollups of table {} in database {} failed: {}; readers use the raw "
        "rows of the hours not closed",
        current, target.name, consumer::scrub_secrets(consumer::one_line(error.what()), target));
  }
}

}  // namespace

void migrate_all(const ConsumerConfig& config) {
  consumer::Router router(config.topics);
  for (std::size_t d = 0; d < router.database_uris().size(); ++d) {
    consumer::PgSink database(router.database_uris()[d], router.tables_of(d),
                              consumer::session_settings(config));
    database.migrate();
    spdlog::info("database {}: tables {} at schema version {}", database.name(),
                 fmt::join(database.tables(), ", "), consumer::table_migrations().back().version);
    close_rollups(config, router, d);
  }
}

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
  parts.make_row_sink = [session = consumer::session_settings(config)](
                            const std::string& connection_string,
                            const std::vector<std::string>& tables) {
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
  return loop.run();
}

}  // namespace hc
