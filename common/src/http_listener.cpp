#include "hc/common/http_listener.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>

namespace hc {
namespace {

// Returns the bound port, or -1 when the address cannot be used.
int bind_exclusively(httplib::Server& server, const HostPort& where) {
  server.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (where.port == 0) return server.bind_to_any_port(where.host);
  return server.bind_to_port(where.host, where.port) ? where.port : -1;
}

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

std::unique_ptr<HttpListener> HttpListener::start(std::unique_ptr<httplib::Server> server,
                                                  const HostPort& where) {
  const int port = bind_exclusively(*server, where);
  if (port <= 0) return nullptr;
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(server), port));
}

HttpListener::HttpListener(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_.store(true);
  });
}

HttpListener::~HttpListener() {
  // stop() only takes effect once the thread is inside listen_after_bind(); a listener
  // destroyed right after it started must not leave the thread listening forever.
  while (!server_->is_running() && !listen_returned_.load()) std::this_thread::yield();
  server_->stop();
  thread_.join();
}

}  // namespace hc
