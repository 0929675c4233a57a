// `hc serve`: one small read-only HTTP server for people and tools.
//
//   GET /?offset=&limit=                    status page (HTML + inline SVG, no JavaScript)
//   GET /api/v1/status?offset=&limit=       the same data as JSON
//   GET /api/v1/sites/{url}/history?since=&step=&table=   hourly or daily buckets
//   GET /sites/{url}?since=24h|7d|30d|90d | from=&to=   a site's page (site_routes.h)
//   GET /badges/{url}/status.svg, /uptime/{24h|7d|30d}.svg, /response-time/{24h|7d}.svg
//   GET /api/v1/report?month=YYYY-MM[&format=csv]       SLA report of a month (report_route.h)
//   GET /healthz                            "ok": the server answers (no database read)
//
// The overview is paged: every configured table's sites by table (configuration order), then
// URL, one list; a request shows sites [offset, offset + limit) of it (offset default 0, at
// most 1,000,000,000; limit default 100, 1..1000; overview_request.h). The counts (total, up,
// down) are of all sites. The page links Previous/Next (plain links); the JSON is
//   {"generated_at", "total_sites", "up_sites", "down_sites", "offset", "limit",
//    "next": "/api/v1/status?offset=N&limit=L" | null, "sites": [...]}
// (the site objects: status_json.h). An offset past the end is an empty page with the counts;
// an unknown or repeated parameter or a value out of range is a 400 naming it.
//
// GET and HEAD only (405 otherwise), except for routes added by a RouteAdder (the admin API,
// admin_api.h, with bodies bounded per route); every value from the database is escaped.
// Loopback only unless allowed explicitly. Requests are bounded as http_server.h states (a
// 5 s deadline per request, 16 KiB of headers, 128 connections, a 7 KiB target); the handlers
// run on 4 workers (so at most 4 database reads at once); /healthz answers even while all
// four are busy.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "hc/common/clock.h"
#include "hc/common/http_routes.h"
#include "hc/common/silence_book.h"
#include "hc/serve/status_source.h"

namespace hc::http {
class Server;
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

// Adds routes beside the status server's own (further pages, API calls), each feature from its
// own file: called once, in the constructor, before the server starts. Its handlers run on the
// server's workers and get the same limits, headers (Content-Security-Policy, nosniff,
// no-store) and 404; whatever they use must outlive the server. A route it adds on a path the
// server has is never reached.
using RouteAdder = std::function<void(http::Routes& routes)>;

class StatusServer {
 public:
  // Binds and serves on its own threads until destroyed. `source` and `clock` must outlive
  // the server; so must `silences` when given: the silences (config and runtime) shown as
  // maintenance on the overview, the site pages and /api/v1/status. Throws ListenError.
  StatusServer(const ServerOptions& options, StatusSource& source, const Clock& clock,
               const RouteAdder& add_more_routes = {}, const SilenceBook* silences = nullptr);
  // Stops accepting, finishes the requests in progress, joins the threads.
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  int port() const;
  // "http://HOST:PORT" as bound.
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace hc::serve
