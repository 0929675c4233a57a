// `hc serve`: one small read-only HTTP server for people and tools.
//
//   GET /                                   status page (HTML + inline SVG, no JavaScript)
//   GET /api/v1/status                      the same data as JSON
//   GET /api/v1/sites/{url}/history?since=&step=&table=   hourly or daily buckets
//
// GET and HEAD only (405 otherwise); bounded requests (URI, headers, body, query span);
// every value from the database is escaped. Loopback only unless allowed explicitly.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "hc/common/clock.h"
#include "hc/serve/status_source.h"

namespace hc {
class HttpListener;
}

namespace hc::serve {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT, [v6]:PORT; port 0 picks a free one
  // The page shows every monitored URL and its errors, without authentication: a listen
  // address other than loopback is refused unless this is set (--allow-remote).
  bool allow_remote = false;
};

// Thrown by StatusServer for a listen address that is malformed, not loopback without
// allow_remote, or cannot be bound. what() names the address and what to do.
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

class StatusServer {
 public:
  // Binds and serves on its own threads until destroyed. `source` and `clock` must outlive
  // the server. Throws ListenError.
  StatusServer(const ServerOptions& options, StatusSource& source, const Clock& clock);
  // Stops accepting, finishes the requests in progress, joins the threads.
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  int port() const;
  // "http://HOST:PORT" as bound.
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace hc::serve
