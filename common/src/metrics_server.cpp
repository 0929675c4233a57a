#include "hc/common/metrics_server.h"

#include <fmt/format.h>
#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

#include <stdexcept>

#include "hc/common/http_server.h"

namespace hc {
namespace {

// One scrape serialized at a time; /healthz does not wait for it.
constexpr std::size_t kWorkerThreads = 1;
constexpr std::size_t kMaxQueued = 16;

}  // namespace

MetricsServer::MetricsServer(const std::string& address,
                             std::shared_ptr<prometheus::Collectable> metrics,
                             HealthProbe health_probe)
    : metrics_(std::move(metrics)), health_probe_(std::move(health_probe)) {
  const auto host_port = http::parse_host_port(address);
  if (!host_port) {
    throw std::runtime_error(
        fmt::format("--metrics-addr '{}': expected HOST:PORT, e.g. 127.0.0.1:9464", address));
  }
  http::Routes routes;
  routes.get("/metrics", [this](const http::Request&) {
    http::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = prometheus::TextSerializer().Serialize(metrics_->Collect());
    return response;
  });
  routes.get(
      "/healthz",
      [this](const http::Request&) {
        std::optional<std::string> problem = health_probe_();
        return http::Response::text(problem ? 503 : 200, problem ? *problem + "\n" : "ok\n");
      },
      http::RouteOptions{.immediate = true});
  routes.set_not_found([](const http::Request&) {
    return http::Response::text(404, "not found: try /metrics or /healthz\n");
  });
  http::ServerOptions options;
  options.limits.worker_threads = kWorkerThreads;
  options.limits.max_queued = kMaxQueued;
  options.log_name = "metrics";
  try {
    server_ = std::make_unique<http::Server>(*host_port, std::move(routes), options);
  } catch (const http::ListenError& error) {
    throw std::runtime_error(
        fmt::format("--metrics-addr '{}': cannot listen there: {}", address, error.what()));
  }
}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const { return server_->port(); }

}  // namespace hc
