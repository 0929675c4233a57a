#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "hc/common/clock.h"
#include "hc/common/http_server.h"
#include "hc/common/mutex.h"
#include "hc/common/signals.h"
#include "hc/common/silence_book.h"
#include "hc/common/silences_follower.h"
#include "hc/serve/admin_api.h"
#include "hc/serve/status_server.h"

namespace hc::cli {
namespace {

// The longest a page or API request may keep a database busy.
constexpr std::chrono::milliseconds kServeStatementTimeout{10000};

}  // namespace

int serve(const ServeOptions& options) {
  auto config = load_or_report(options.config_path);
  if (!config) return kExitUsage;
  if (!config->consumer) {
    std::cerr << options.config_path << ": no healthcheck-consumer-config section: no tables\n";
    return kExitUsage;
  }
  // Blocks SIGINT/SIGTERM before the server starts its threads.
  StopControl control;
  SignalWatcher watcher(control);
  Mutex mutex;
  CondVar stop_requested;
  control.add_waker([&] {
    MutexLock lock(mutex);
    stop_requested.notify_all();
  });

  const SystemClock clock;
  auto source = serve::postgres_status_source(*config->consumer, kServeStatementTimeout);
  // Declared before the server: its routes use them until the server is gone.
  const serve::AdminApi admin_api(*config, clock);
  // Maintenance on the pages: the notify section's silences, and the runtime ones of its
  // silences topic followed in the background (a page never waits for Kafka; while the
  // cluster is away the pages show the silences last read).
  std::optional<SilenceBook> silences;
  std::optional<SilencesFollower> silences_follower;
  if (config->notify) {
    silences.emplace(config->notify->silences);
    try {
      silences_follower.emplace(*config->notify, *silences, "hc-serve-silences");
    } catch (const std::exception& error) {
      spdlog::warn("serve: runtime silences not followed: {}", error.what());
    }
  }
  std::optional<serve::StatusServer> server;
  try {
    server.emplace(
        serve::ServerOptions{options.listen, options.allow_remote}, *source, clock,
        [&admin_api](http::Routes& routes) { admin_api.add_routes(routes); },
        silences ? &*silences : nullptr);
  } catch (const serve::ListenError& error) {
    std::cerr << "hc serve: " << error.what() << "\n";
    return kExitUsage;
  }
  const auto host_port = http::parse_host_port(options.listen);
  if (host_port && !serve::is_loopback_host(host_port->host)) {
    spdlog::warn(
        "serve: listening on {} beyond loopback (--allow-remote): anyone who can connect sees "
        "every monitored URL and its errors; there is no authentication",
        server->url());
  }
  spdlog::info("serve: status page on {}/ (JSON: {}/api/v1/status)", server->url(), server->url());
  spdlog::info("serve: {}", admin_api.summary());
  {
    MutexLock lock(mutex);
    while (!control.stop_requested()) stop_requested.wait(mutex);
  }
  spdlog::info("serve: stopping");
  server.reset();  // finishes the requests in progress
  return kExitOk;
}

}  // namespace hc::cli
