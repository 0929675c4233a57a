// hc's HTTP server (--metrics-addr, hc serve), on GNU libmicrohttpd: bounded against clients
// that are slow or hostile on purpose.
//
// What one client can take, and what it gets beyond that (ServerLimits):
//   - connections: at most max_connections at once; one more is closed at once (not left
//     waiting in the backlog), so a full server is visible to a client at once.
//   - time: the whole request (head and body) must arrive within request_deadline of its
//     connection opening, or of the previous response on a kept-alive connection; a
//     connection over it is closed, however regularly it sends. A response that the client
//     does not read for idle_timeout closes the connection.
//   - memory: a request head is read into a per-connection buffer of fixed size; a head over
//     max_header_bytes is a 431 (a request line over it, 414) before more is read. More than
//     max_header_count fields: 431; a target over max_target_bytes: 414; a body over its
//     route's max_body_bytes: 413.
//   - threads: one event thread does all network I/O; handlers run on worker_threads workers
//     with at most max_queued requests waiting (more: 503 at once). Routes marked `immediate`
//     (/healthz) run on the event thread, so they answer while every worker is busy.
// Responses of 1 KiB and more go gzip-compressed to clients that accept gzip.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/http_routes.h"

namespace hc::http {

// Splits "HOST:PORT" / "[v6]:PORT" / ":PORT" (":PORT": all interfaces). nullopt when
// malformed or port > 65535.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> parse_host_port(const std::string& address);

struct ServerLimits {
  std::size_t max_connections = 128;
  std::chrono::milliseconds request_deadline{5000};
  std::chrono::milliseconds idle_timeout{10000};
  std::size_t max_header_bytes = 16384;
  std::size_t max_header_count = 64;
  std::size_t max_target_bytes = 8192;
  std::size_t worker_threads = 2;
  std::size_t max_queued = 64;
};

struct ServerOptions {
  ServerLimits limits;
  // Added to every response, errors included (e.g. Content-Security-Policy), unless the
  // response sets a header of the same name itself (then only the response's is sent).
  std::vector<std::pair<std::string, std::string>> common_headers;
  // Logged at debug level per request: "{log_name}: GET /path -> 200".
  std::string log_name = "http";
};

// Thrown by Server when it cannot listen: what() gives the system's reason (the caller adds
// the flag and address).
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  // Binds `where` (port 0: a free one; SO_REUSEADDR, never SO_REUSEPORT, so a second server
  // cannot share the port) and serves `routes` on its own threads until destroyed.
  // Throws ListenError.
  Server(const HostPort& where, Routes routes, ServerOptions options);
  // Stops accepting, answers queued requests 503, lets running handlers finish, closes every
  // connection and joins the threads. Whatever the handlers use must outlive the server.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the free one picked for port 0).
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hc::http
