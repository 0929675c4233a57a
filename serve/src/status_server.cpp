#include "hc/serve/status_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <variant>
#include <vector>

#include "hc/common/http_server.h"
#include "history_request.h"
#include "maintenance.h"
#include "overview_request.h"
#include "report_route.h"
#include "site_routes.h"
#include "status_json.h"
#include "status_page.h"

namespace hc::serve {
namespace {

// Every request is a small GET: these bound what one client can make the server hold.
constexpr std::size_t kMaxTargetBytes = 7168;  // a 2048-byte URL fully percent-encoded fits
// Worker threads, so also the most database reads at once.
constexpr std::size_t kWorkerThreads = 4;

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kHtml = "text/html; charset=utf-8";

// On every response. The page has no script: a policy that allows none means that even a
// value escaped wrongly could not run any.
std::vector<std::pair<std::string, std::string>> common_headers() {
  return {{"Content-Security-Policy",
           "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"Referrer-Policy", "no-referrer"},
          {"Cache-Control", "no-store"}};
}

http::Response reply(int status, std::string body, const char* content_type) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.content_type = content_type;
  return response;
}

http::Response bad_request(const BadRequest& bad) {
  return http::Response::text(400, bad.message + "\n");
}

// Runs `answer` (which reads the source); a failure of the source is a 503, logged once.
template <typename Answer>
http::Response guarded(const char* what, Answer answer) {
  try {
    return answer();
  } catch (const std::exception& error) {
    spdlog::warn("serve: {}: {}; answered 503", what, error.what());
    return http::Response::text(
        503,
        "status unavailable: the database could not be read (the reason is in hc serve's "
        "log)\n");
  }
}

// `/` and /api/v1/status: the same page of the overview, in HTML or JSON.
template <typename Render>
http::Handler overview_route(StatusSource& source, const Clock& clock, const SilenceBook* silences,
                             const char* what, const char* content_type, Render render) {
  return [&source, &clock, silences, what, content_type, render](const http::Request& request) {
    auto page = parse_overview_page(request.query);
    if (auto* bad = std::get_if<BadRequest>(&page)) return bad_request(*bad);
    return guarded(what, [&] {
      const WallTime now = clock.wall_now();
      return reply(200,
                   render(source.overview(now, std::get<OverviewPage>(page)), now,
                          maintenance_lookup(silences, now)),
                   content_type);
    });
  };
}

http::Handler history_route(StatusSource& source, const Clock& clock) {
  return [&source, &clock](const http::Request& request) {
    // The URL is taken from the raw target, decoded exactly once.
    auto url = site_url_from_target(request.target);
    if (auto* bad = std::get_if<BadRequest>(&url)) return bad_request(*bad);
    auto query =
        parse_history_query(std::get<std::string>(std::move(url)), request.query, clock.wall_now());
    if (auto* bad = std::get_if<BadRequest>(&query)) return bad_request(*bad);
    const auto& history_query = std::get<HistoryQuery>(query);
    return guarded("site history", [&] {
      auto history = source.history(history_query);
      if (!history) {
        return http::Response::text(
            404, history_query.table.empty()
                     ? "no such site: no configured table has measurements of this URL\n"
                     : "no such site in that table (or no such table)\n");
      }
      return reply(200, render_history_json(*history, history_query), kJson);
    });
  };
}

}  // namespace

StatusServer::StatusServer(const ServerOptions& options, StatusSource& source, const Clock& clock,
                           const RouteAdder& add_more_routes, const SilenceBook* silences) {
  const auto host_port = http::parse_host_port(options.listen);
  if (!host_port) {
    throw ListenError(fmt::format(
        "--listen '{}': expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080", options.listen));
  }
  if (!is_loopback_host(host_port->host) && !options.allow_remote) {
    throw ListenError(fmt::format(
        "--listen '{}': not a loopback address. The page lists every monitored URL and its "
        "errors to anyone who can connect, without authentication; pass --allow-remote to "
        "listen there anyway (e.g. behind a reverse proxy that authenticates)",
        options.listen));
  }
  http::Routes routes;
  routes.get("/", overview_route(source, clock, silences, "status page", kHtml,
                                 [](const Overview& overview, WallTime now,
                                    const MaintenanceLookup& maintenance) {
                                   return render_status_page(overview, now, maintenance);
                                 }));
  routes.get("/api/v1/status",
             overview_route(
                 source, clock, silences, "/api/v1/status", kJson,
                 [](const Overview& overview, WallTime now, const MaintenanceLookup& maintenance) {
                   return render_overview_json(overview, now, maintenance);
                 }));
  routes.get("/api/v1/sites/{url...}/history", history_route(source, clock));
  add_site_routes(routes, source, clock, silences);
  add_report_route(routes, source, clock);
  routes.get(
      "/healthz", [](const http::Request&) { return http::Response::text(200, "ok\n"); },
      http::RouteOptions{.immediate = true});
  routes.set_not_found([](const http::Request&) {
    return http::Response::text(404,
                                "not found: try /, /sites/{url-encoded URL}, /api/v1/status or "
                                "/api/v1/sites/{url-encoded URL}/history\n");
  });
  if (add_more_routes) add_more_routes(routes);

  http::ServerOptions server_options;
  server_options.limits.max_target_bytes = kMaxTargetBytes;
  server_options.limits.worker_threads = kWorkerThreads;
  server_options.common_headers = common_headers();
  server_options.log_name = "serve";
  // Bound exclusively: a second hc serve must not share the port.
  try {
    server_ = std::make_unique<http::Server>(*host_port, std::move(routes), server_options);
  } catch (const http::ListenError& error) {
    throw ListenError(
        fmt::format("--listen '{}': cannot listen there: {}", options.listen, error.what()));
  }
  const bool v6 = host_port->host.find(':') != std::string::npos;
  url_ = fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host_port->host, v6 ? "]" : "",
                     server_->port());
}

StatusServer::~StatusServer() = default;

int StatusServer::port() const { return server_->port(); }

}  // namespace hc::serve
