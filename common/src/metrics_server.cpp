#include "hc/common/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

#include <stdexcept>

#include "hc/common/http_listener.h"

namespace hc {
namespace {

// Limits for a server that may face an untrusted network: scrapes and probes are small GETs.
constexpr std::size_t kMaxRequestBodyBytes = 4096;
constexpr time_t kReadTimeoutSeconds = 5;
constexpr time_t kWriteTimeoutSeconds = 10;
constexpr std::size_t kMaxRequestsPerConnection = 100;
constexpr time_t kKeepAliveSeconds = 5;

}  // namespace

MetricsServer::MetricsServer(const std::string& address,
                             std::shared_ptr<prometheus::Collectable> metrics,
                             HealthProbe health_probe)
    : metrics_(std::move(metrics)), health_probe_(std::move(health_probe)) {
  const auto host_port = parse_host_port(address);
  if (!host_port) {
    throw std::runtime_error(
        fmt::format("--metrics-addr '{}': expected HOST:PORT, e.g. 127.0.0.1:9464", address));
  }
  auto server = std::make_unique<httplib::Server>();
  server->set_payload_max_length(kMaxRequestBodyBytes);
  server->set_read_timeout(kReadTimeoutSeconds, 0);
  server->set_write_timeout(kWriteTimeoutSeconds, 0);
  server->set_keep_alive_max_count(kMaxRequestsPerConnection);
  server->set_keep_alive_timeout(kKeepAliveSeconds);
  // Read-only: GET and HEAD (which httplib routes to the GET handlers), 405 for the rest.
  server->set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "GET" || request.method == "HEAD") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
    response.set_content("method not allowed: /metrics and /healthz are read-only\n",
                         "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  server->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    prometheus::TextSerializer serializer;
    response.set_content(serializer.Serialize(metrics_->Collect()),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
  server->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    std::optional<std::string> problem = health_probe_();
    response.status = problem ? 503 : 200;
    response.set_content(problem ? *problem + "\n" : "ok\n", "text/plain; charset=utf-8");
  });
  listener_ = HttpListener::start(std::move(server), *host_port);
  if (!listener_) {
    throw std::runtime_error(fmt::format(
        "--metrics-addr '{}': cannot listen there (address in use or not local?)", address));
  }
}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const { return listener_->port(); }

}  // namespace hc
