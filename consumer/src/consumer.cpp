#include "hc/consumer/consumer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <thread>

#include "consumer_loop.h"
#include "consumer_metrics.h"
#include "hc/common/metrics_server.h"
#include "pg_migrations.h"
#include "pg_sink.h"
#include "router.h"

namespace hc {

void migrate_all(const ConsumerConfig& config) {
  consumer::Router router(config.topics);
  for (std::size_t d = 0; d < router.database_uris().size(); ++d) {
    consumer::PgSink database(router.database_uris()[d], router.tables_of(d));
    database.migrate();
    spdlog::info("database {}: tables {} at schema version {}", database.name(),
                 fmt::join(database.tables(), ", "), consumer::table_migrations().back().version);
  }
}

int run_consumer(const ConsumerConfig& config, StopControl& control,
                 const ConsumerOptions& options) {
  // The database may come up after us (compose, restarts): wait for it rather than exit
  // and crash-loop, logging each distinct error once.
  std::string last_error;
  auto backoff = std::chrono::milliseconds(200);
  while (true) {
    try {
      migrate_all(config);
      break;
    } catch (const std::exception& error) {
      if (error.what() != last_error) {
        spdlog::error("{}; retrying until the database is reachable", error.what());
        last_error = error.what();
      }
    }
    auto until = std::chrono::steady_clock::now() + backoff;
    while (!control.stop_requested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (control.stop_requested()) return 0;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
  consumer::ConsumerLoop loop(config, control);
  std::optional<MetricsServer> metrics_server;  // stops before the loop (and its stats) go
  if (!options.metrics_address.empty()) {
    metrics_server.emplace(options.metrics_address, consumer::consumer_metrics(loop.stats()),
                           [&loop] { return consumer::consumer_problem(loop.stats()); });
    spdlog::info("serving /metrics and /healthz on {}", options.metrics_address);
  }
  return loop.run();
}

}  // namespace hc
