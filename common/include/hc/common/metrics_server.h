// /metrics (Prometheus text format) and /healthz over HTTP, for --metrics-addr.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}
namespace prometheus {
class Collectable;
}

namespace hc {

class MetricsServer {
 public:
  // Returns std::nullopt while the role works, or why it does not (e.g. "kafka: all
  // brokers down"); /healthz answers 200 "ok" or 503 with that reason. Called on the
  // server's thread for every /healthz request: it must be thread-safe and cheap.
  using HealthProbe = std::function<std::optional<std::string>()>;

  // Binds HOST:PORT ("127.0.0.1:9464", "[::1]:9464", ":9464" for all interfaces; port 0
  // picks a free one) and serves on its own thread until destroyed.
  // Throws std::runtime_error naming the address if it cannot bind.
  MetricsServer(const std::string& address, std::shared_ptr<prometheus::Collectable> metrics,
                HealthProbe health_probe);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<prometheus::Collectable> metrics_;
  HealthProbe health_probe_;
  int port_ = 0;
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;
};

// Splits "HOST:PORT" / "[v6]:PORT" / ":PORT". nullopt when malformed or port > 65535.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> parse_host_port(const std::string& address);

// Binds `server` to `where` (port 0: a free port) with SO_REUSEADDR but without httplib's
// default SO_REUSEPORT, which would let a second process bind the same port silently and split
// the requests between the two. Returns the bound port, or -1 when the address cannot be used.
int bind_exclusively(httplib::Server& server, const HostPort& where);

}  // namespace hc
