// /metrics (Prometheus text format) and /healthz over HTTP, for --metrics-addr: GET and HEAD
// only, bounded as http_server.h states (128 connections, a 5 s deadline per request head,
// 16 KiB of headers, no body). /healthz is answered on the server's event thread, so a
// probe is answered even while a scrape is being serialized.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace prometheus {
class Collectable;
}

namespace hc {

namespace http {
class Server;
}

class MetricsServer {
 public:
  // Returns std::nullopt while the role works, or why it does not (e.g. "kafka: all
  // brokers down"); /healthz answers 200 "ok" or 503 with that reason. Called on the
  // server's event thread for every /healthz request: it must be thread-safe, cheap and
  // never block.
  using HealthProbe = std::function<std::optional<std::string>()>;

  // Binds HOST:PORT ("127.0.0.1:9464", "[::1]:9464", ":9464" for all interfaces; port 0
  // picks a free one) and serves on its own thread until destroyed.
  // Throws std::runtime_error naming the address if it cannot bind.
  MetricsServer(const std::string& address, std::shared_ptr<prometheus::Collectable> metrics,
                HealthProbe health_probe);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const;

 private:
  std::shared_ptr<prometheus::Collectable> metrics_;
  HealthProbe health_probe_;
  std::unique_ptr<http::Server> server_;  // last: its handlers use the members above
};

}  // namespace hc
