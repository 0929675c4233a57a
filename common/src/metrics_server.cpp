#include "hc/common/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>

#include <charconv>
#include <stdexcept>

namespace hc {
namespace {

// Limits for a server that may face an untrusted network: scrapes and probes are small GETs.
constexpr std::size_t kMaxRequestBodyBytes = 4096;
constexpr time_t kReadTimeoutSeconds = 5;
constexpr time_t kWriteTimeoutSeconds = 10;
constexpr std::size_t kMaxRequestsPerConnection = 100;
constexpr time_t kKeepAliveSeconds = 5;

}  // namespace

std::optional<HostPort> parse_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port < 0 || port > 65535) return std::nullopt;
  return HostPort{host, port};
}

int bind_exclusively(httplib::Server& server, const HostPort& where) {
  server.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (where.port == 0) return server.bind_to_any_port(where.host);
  return server.bind_to_port(where.host, where.port) ? where.port : -1;
}

MetricsServer::MetricsServer(const std::string& address,
                             std::shared_ptr<prometheus::Collectable> metrics,
                             HealthProbe health_probe)
    : server_(std::make_unique<httplib::Server>()),
      metrics_(std::move(metrics)),
      health_probe_(std::move(health_probe)) {
  auto host_port = parse_host_port(address);
  if (!host_port) {
    throw std::runtime_error(
        fmt::format("--metrics-addr '{}': expected HOST:PORT, e.g. 127.0.0.1:9464", address));
  }
  server_->set_payload_max_length(kMaxRequestBodyBytes);
  server_->set_read_timeout(kReadTimeoutSeconds, 0);
  server_->set_write_timeout(kWriteTimeoutSeconds, 0);
  server_->set_keep_alive_max_count(kMaxRequestsPerConnection);
  server_->set_keep_alive_timeout(kKeepAliveSeconds);
  // Read-only: GET and HEAD (which httplib routes to the GET handlers), 405 for the rest.
  server_->set_pre_routing_handler(
      [](const httplib::Request& request, httplib::Response& response) {
        if (request.method == "GET" || request.method == "HEAD") {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.status = 405;
        response.set_header("Allow", "GET, HEAD");
        response.set_content("method not allowed: /metrics and /healthz are read-only\n",
                             "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
      });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    prometheus::TextSerializer serializer;
    response.set_content(serializer.Serialize(metrics_->Collect()),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    std::optional<std::string> problem = health_probe_();
    response.status = problem ? 503 : 200;
    response.set_content(problem ? *problem + "\n" : "ok\n", "text/plain; charset=utf-8");
  });
  port_ = bind_exclusively(*server_, *host_port);
  if (port_ <= 0) {
    throw std::runtime_error(fmt::format(
        "--metrics-addr '{}': cannot listen there (address in use or not local?)", address));
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_.store(true);
  });
}

MetricsServer::~MetricsServer() {
  // stop() only takes effect once the thread is inside listen_after_bind(); a server
  // destroyed right after construction must not leave the thread listening forever.
  while (!server_->is_running() && !listen_returned_.load()) std::this_thread::yield();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace hc
