#include "hc/serve/status_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <variant>

#include "hc/common/http_listener.h"
#include "history_request.h"
#include "overview_request.h"
#include "status_json.h"
#include "status_page.h"

namespace hc::serve {
namespace {

// Every request is a small GET: these bound what one client can make the server hold.
constexpr std::size_t kMaxBodyBytes = 1024;
constexpr std::size_t kMaxTargetBytes = 7168;  // a 2048-byte URL fully percent-encoded fits
constexpr std::size_t kMaxHeaderCount = 64;
constexpr std::size_t kMaxHeaderBytes = 16384;
constexpr time_t kReadTimeoutSeconds = 5;
constexpr time_t kWriteTimeoutSeconds = 10;
constexpr std::size_t kMaxRequestsPerConnection = 100;
constexpr time_t kKeepAliveSeconds = 5;
// Worker threads, so also the most database connections open at once.
constexpr std::size_t kWorkerThreads = 4;

constexpr const char* kText = "text/plain; charset=utf-8";
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kHtml = "text/html; charset=utf-8";

// On every response. The page has no script: a policy that allows none means that even a
// value escaped wrongly could not run any.
void set_common_headers(httplib::Response& response) {
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-store");
}

void reply(httplib::Response& response, int status, const std::string& body,
           const char* content_type) {
  response.status = status;
  response.set_content(body, content_type);
}

std::string default_error_text(int status) {
  switch (status) {
    case 404:
      return "not found: try /, /api/v1/status or /api/v1/sites/{url-encoded URL}/history\n";
    case 413:
      return fmt::format("request body over {} bytes (GET and HEAD need none)\n", kMaxBodyBytes);
    case 414:
      return "URI too long\n";
    default:
      return fmt::format("error {}\n", status);
  }
}

// Why a request is refused before routing, or nullopt to route it.
std::optional<std::pair<int, std::string>> refusal(const httplib::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return std::pair{405, "method not allowed: hc serve is read-only (GET, HEAD)\n"};
  }
  if (request.target.size() > kMaxTargetBytes) {
    return std::pair{414, fmt::format("URI longer than {} bytes\n", kMaxTargetBytes)};
  }
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) header_bytes += name.size() + value.size();
  if (request.headers.size() > kMaxHeaderCount || header_bytes > kMaxHeaderBytes) {
    return std::pair{431, fmt::format("request headers over {} fields or {} bytes\n",
                                      kMaxHeaderCount, kMaxHeaderBytes)};
  }
  // httplib reads a GET's body only when a route asks for it: the declared size decides.
  const std::string length = request.get_header_value("Content-Length");
  std::size_t declared = 0;
  const bool length_ok =
      length.empty() ||
      std::from_chars(length.data(), length.data() + length.size(), declared).ec == std::errc();
  if (request.has_header("Transfer-Encoding") || !length_ok || declared > kMaxBodyBytes) {
    return std::pair{413, default_error_text(413)};
  }
  return std::nullopt;
}

// Runs `answer` (which reads the source); a failure of the source is a 503, logged once.
template <typename Answer>
void guarded(httplib::Response& response, const char* what, Answer answer) {
  try {
    answer();
  } catch (const std::exception& error) {
    spdlog::warn("serve: {}: {}; answered 503", what, error.what());
    reply(response, 503,
          "status unavailable: the database could not be read (the reason is in hc serve's "
          "log)\n",
          kText);
  }
}

}  // namespace

StatusServer::StatusServer(const ServerOptions& options, StatusSource& source, const Clock& clock) {
  const auto host_port = parse_host_port(options.listen);
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
  auto server = std::make_unique<httplib::Server>();
  // httplib's interface: it takes ownership of the raw pointer and deletes it.
  server->new_task_queue = [] {
    return new httplib::ThreadPool(kWorkerThreads);  // NOLINT(cppcoreguidelines-owning-memory)
  };
  server->set_payload_max_length(kMaxBodyBytes);
  server->set_read_timeout(kReadTimeoutSeconds, 0);
  server->set_write_timeout(kWriteTimeoutSeconds, 0);
  server->set_keep_alive_max_count(kMaxRequestsPerConnection);
  server->set_keep_alive_timeout(kKeepAliveSeconds);
  server->set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    set_common_headers(response);
    if (auto refused = refusal(request)) {
      if (refused->first == 405) response.set_header("Allow", "GET, HEAD");
      reply(response, refused->first, refused->second, kText);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Statuses without a body of their own (404 for an unknown path, 413 from httplib).
  server->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        set_common_headers(response);
        response.set_content(default_error_text(response.status), kText);
        return httplib::Server::HandlerResponse::Handled;
      }));

  // `/` and /api/v1/status: the same page of the overview, in HTML or JSON.
  auto overview_route = [&source, &clock](const char* what, const char* content_type, auto render) {
    return [&source, &clock, what, content_type, render](const httplib::Request& request,
                                                         httplib::Response& response) {
      auto page = parse_overview_page(request.params);
      if (auto* bad = std::get_if<BadRequest>(&page)) {
        reply(response, 400, bad->message + "\n", kText);
        return;
      }
      guarded(response, what, [&] {
        const WallTime now = clock.wall_now();
        reply(response, 200, render(source.overview(now, std::get<OverviewPage>(page)), now),
              content_type);
      });
    };
  };
  server->Get("/", overview_route("status page", kHtml, [](const Overview& overview, WallTime now) {
                return render_status_page(overview, now);
              }));
  server->Get("/api/v1/status",
              overview_route("/api/v1/status", kJson, [](const Overview& overview, WallTime now) {
                return render_overview_json(overview, now);
              }));
  // httplib matches the decoded path; the URL is taken from the raw target, decoded once.
  server->Get(R"(/api/v1/sites/[\s\S]+/history)",
              [&source, &clock](const httplib::Request& request, httplib::Response& response) {
                auto url = site_url_from_target(request.target);
                if (auto* bad = std::get_if<BadRequest>(&url)) {
                  reply(response, 400, bad->message + "\n", kText);
                  return;
                }
                auto query = parse_history_query(std::get<std::string>(std::move(url)),
                                                 request.params, clock.wall_now());
                if (auto* bad = std::get_if<BadRequest>(&query)) {
                  reply(response, 400, bad->message + "\n", kText);
                  return;
                }
                const auto& history_query = std::get<HistoryQuery>(query);
                guarded(response, "site history", [&] {
                  auto history = source.history(history_query);
                  if (!history) {
                    reply(response, 404,
                          history_query.table.empty()
                              ? "no such site: no configured table has measurements of this URL\n"
                              : "no such site in that table (or no such table)\n",
                          kText);
                    return;
                  }
                  reply(response, 200, render_history_json(*history, history_query), kJson);
                });
              });
  server->set_logger([](const httplib::Request& request, const httplib::Response& response) {
    spdlog::debug("serve: {} {} -> {}", request.method, request.path, response.status);
  });

  // Bound exclusively: a second hc serve must not share the port.
  listener_ = HttpListener::start(std::move(server), *host_port);
  if (!listener_) {
    throw ListenError(fmt::format(
        "--listen '{}': cannot listen there (address in use or not local?)", options.listen));
  }
  const bool v6 = host_port->host.find(':') != std::string::npos;
  url_ = fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host_port->host, v6 ? "]" : "",
                     listener_->port());
}

StatusServer::~StatusServer() = default;

int StatusServer::port() const { return listener_->port(); }

}  // namespace hc::serve
