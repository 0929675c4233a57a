#include "hc/common/http_server.h"

#include <fmt/format.h>
#include <microhttpd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <cstdarg>
#include <cstdio>

#include "gzip.h"
#include "http_connections.h"
#include "http_workers.h"
#include "listen_socket.h"

namespace hc::http {
namespace {

// Smaller responses are sent as they are: compressing them saves nothing worth the CPU.
constexpr std::size_t kGzipMinBytes = 1024;
// The per-connection buffer beyond max_header_bytes: the request line, libmicrohttpd's own
// bookkeeping and the response head. A head that outgrows the buffer is refused by
// libmicrohttpd itself while it is read.
constexpr std::size_t kConnectionBufferSlackBytes = 16384;

// One request from its head to its response. Owned through libmicrohttpd's per-request
// pointer: created at the first access-handler call, deleted when the request completes.
struct Exchange {
  Request request;
  const Routes::Route* route = nullptr;
  // The response, once known. A worker writes it before MHD_resume_connection(); the event
  // thread reads it after being called again for the resumed connection (the resume's lock
  // orders the two).
  std::optional<Response> response;
  bool handed_to_worker = false;
};

// What a log line shows of a request's path: the pattern of the route it matched, never the
// path as sent, which may carry a secret (a site URL with its token in a capture, a mistyped
// path); a path no route matched is shown as kNoRoute.
constexpr std::string_view kNoRoute = "(no route)";
std::string_view logged_path(const Exchange& exchange) {
  return exchange.route != nullptr ? std::string_view(exchange.route->pattern) : kNoRoute;
}

// Header fields as sent, with their count and bytes.
struct HeadFields {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t bytes = 0;
};

MHD_Result collect_field(void* cls, MHD_ValueKind /*kind*/, const char* key, size_t key_size,
                         const char* value, size_t value_size) {
  auto* head = static_cast<HeadFields*>(cls);
  head->fields.emplace_back(std::string(key, key_size),
                            value == nullptr ? std::string() : std::string(value, value_size));
  head->bytes += key_size + value_size;
  return MHD_YES;
}

// The declared body size: nullopt without Content-Length, SIZE_MAX when it is malformed.
std::optional<std::size_t> declared_length(const Request& request) {
  auto length = request.header("Content-Length");
  if (!length) return std::nullopt;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), value);
  if (ec != std::errc() || end != length->data() + length->size()) return SIZE_MAX;
  return value;
}

}  // namespace

class Server::Impl {
 public:
  Impl(const HostPort& where, Routes routes, ServerOptions options)
      : routes_(std::move(routes)),
        options_(std::move(options)),
        connections_(options_.limits.max_connections, options_.limits.request_deadline),
        workers_(options_.limits.worker_threads, options_.limits.max_queued) {
    const int fd = open_listen_socket(where);
    port_ = bound_port(fd);
    const auto& limits = options_.limits;
    const auto idle_seconds =
        static_cast<unsigned>(std::chrono::ceil<std::chrono::seconds>(limits.idle_timeout).count());
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): libmicrohttpd's option list
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        0, &Impl::accept_policy, this, &Impl::on_request, this, MHD_OPTION_LISTEN_SOCKET, fd,
        // libmicrohttpd's own limit only stops polling the listening socket (clients then
        // wait in the backlog); accept_policy refuses the excess first.
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(limits.max_connections * 2 + 16),
        MHD_OPTION_CONNECTION_TIMEOUT, idle_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        limits.max_header_bytes + kConnectionBufferSlackBytes, MHD_OPTION_NOTIFY_CONNECTION,
        &Impl::on_connection, this, MHD_OPTION_NOTIFY_COMPLETED, &Impl::on_completed, this,
        MHD_OPTION_URI_LOG_CALLBACK, &Impl::on_request_line, this, MHD_OPTION_EXTERNAL_LOGGER,
        &Impl::log_library_message, this, MHD_OPTION_END);
    if (daemon_ == nullptr) {
      close(fd);
      throw ListenError("libmicrohttpd could not start on the bound socket");
    }
  }

  ~Impl() {
    // Every suspended connection must be resumed before the daemon stops: stopping the
    // workers answers the queued requests and lets the running ones finish.
    workers_.stop();
    MHD_stop_daemon(daemon_);  // closes the listening socket and every connection
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  int port() const { return port_; }

 private:
  // --- libmicrohttpd callbacks, all on the event thread ---

  static MHD_Result accept_policy(void* cls, const sockaddr* /*address*/, socklen_t /*length*/) {
    auto* self = static_cast<Impl*>(cls);
    if (self->connections_.admits_another()) return MHD_YES;
    spdlog::debug("{}: {} connections open: one more refused", self->options_.log_name,
                  self->options_.limits.max_connections);
    return MHD_NO;
  }

  static void on_connection(void* cls, MHD_Connection* connection, void** /*socket_context*/,
                            MHD_ConnectionNotificationCode what) {
    auto* self = static_cast<Impl*>(cls);
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      self->connections_.opened(connection, info == nullptr ? -1 : info->connect_fd);
    } else {
      self->connections_.closed(connection);
    }
  }

  static void* on_request_line(void* cls, const char* uri, MHD_Connection* connection) {
    static_cast<Impl*>(cls)->connections_.set_target(connection, uri == nullptr ? "" : uri);
    return nullptr;
  }

  static void on_completed(void* cls, MHD_Connection* connection, void** request_context,
                           MHD_RequestTerminationCode /*why*/) {
    auto* self = static_cast<Impl*>(cls);
    delete static_cast<Exchange*>(*request_context);  // NOLINT(cppcoreguidelines-owning-memory)
    *request_context = nullptr;
    self->connections_.response_sent(connection);
  }

  static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* /*url*/,
                               const char* method, const char* /*version*/, const char* upload_data,
                               size_t* upload_data_size, void** request_context) {
    auto* self = static_cast<Impl*>(cls);
    auto* exchange = static_cast<Exchange*>(*request_context);
    if (exchange == nullptr) {
      auto fresh = std::make_unique<Exchange>();
      exchange = fresh.get();
      *request_context = fresh.release();
      return self->start(connection, method, *exchange);
    }
    if (*upload_data_size != 0) {
      // A body over the route's bound without a Content-Length (chunked): drop the connection,
      // as nothing can be answered in the middle of a body.
      if (exchange->request.body.size() + *upload_data_size >
          exchange->route->options.max_body_bytes) {
        return MHD_NO;
      }
      exchange->request.body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (exchange->response) return self->send(connection, *exchange);
    if (exchange->handed_to_worker) return MHD_YES;  // not expected: resumed without an answer
    self->connections_.request_read(connection);
    return self->dispatch(connection, *exchange);
  }

  static void log_library_message(void* cls, const char* format, va_list arguments) {
    std::array<char, 512> text{};
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): libmicrohttpd's printf-style log
    std::vsnprintf(text.data(), text.size(), format, arguments);
    std::string_view line(text.data());
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    spdlog::debug("{}: libmicrohttpd: {}", static_cast<Impl*>(cls)->options_.log_name, line);
  }

  // --- the request's way through ---

  // The head is complete: refuse what the limits or the routes refuse, before any body.
  MHD_Result start(MHD_Connection* connection, const char* method, Exchange& exchange) {
    Request& request = exchange.request;
    request.method = method;
    request.target = connections_.take_target(connection);
    const auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos)
      request.query = parse_query(request.target.substr(question + 1));
    HeadFields head;
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, &collect_field, &head);
    request.headers = std::move(head.fields);

    const auto& limits = options_.limits;
    const auto refuse = [&](Response response) {
      connections_.request_read(connection);
      exchange.response = std::move(response);
      return send(connection, exchange);
    };
    if (request.target.size() > limits.max_target_bytes) {
      return refuse(
          Response::text(414, fmt::format("URI longer than {} bytes\n", limits.max_target_bytes)));
    }
    if (request.headers.size() > limits.max_header_count || head.bytes > limits.max_header_bytes) {
      return refuse(
          Response::text(431, fmt::format("request headers over {} fields or {} bytes\n",
                                          limits.max_header_count, limits.max_header_bytes)));
    }
    auto match = routes_.find(request.method, request.path);
    if (match.route == nullptr && !match.allow.empty()) {
      Response response = Response::text(
          405, fmt::format("method not allowed: {} takes {}\n", request.path, match.allow));
      response.headers.emplace_back("Allow", match.allow);
      return refuse(std::move(response));
    }
    if (match.route == nullptr) return refuse(not_found(request));
    exchange.route = match.route;
    request.path_params = std::move(match.params);
    const std::size_t max_body = match.route->options.max_body_bytes;
    const auto length = declared_length(request);
    const bool chunked = request.header("Transfer-Encoding").has_value();
    if ((length && *length > max_body) || (chunked && max_body == 0)) {
      return refuse(Response::text(413, fmt::format("request body over {} bytes\n", max_body)));
    }
    return MHD_YES;
  }

  Response not_found(const Request& request) const {
    if (routes_.not_found()) return call(routes_.not_found(), request, kNoRoute);
    return Response::text(404, "not found\n");
  }

  // The whole request is read: answer it here (immediate routes) or on a worker.
  MHD_Result dispatch(MHD_Connection* connection, Exchange& exchange) {
    if (exchange.route->options.immediate) {
      exchange.response = call(exchange.route->handler, exchange.request, exchange.route->pattern);
      return send(connection, exchange);
    }
    exchange.handed_to_worker = true;
    MHD_suspend_connection(connection);
    Exchange* shared = &exchange;
    const bool queued = workers_.try_submit(WorkerPool::Job{
        [this, connection, shared] {
          shared->response = call(shared->route->handler, shared->request, shared->route->pattern);
          MHD_resume_connection(connection);
        },
        [connection, shared] {
          shared->response = Response::text(503, "server shutting down\n");
          MHD_resume_connection(connection);
        }});
    if (!queued) {
      spdlog::debug("{}: every worker busy and {} requests queued: 503", options_.log_name,
                    options_.limits.max_queued);
      exchange.response = Response::text(503, "busy: too many requests at once, try again\n");
      exchange.response->headers.emplace_back("Retry-After", "1");
      MHD_resume_connection(connection);
    }
    return MHD_YES;
  }

  // `logged_as`: the route's pattern (logged_path()).
  Response call(const Handler& handler, const Request& request, std::string_view logged_as) const {
    try {
      return handler(request);
    } catch (const std::exception& error) {
      spdlog::warn("{}: {} {}: {}; answered 500", options_.log_name, request.method, logged_as,
                   error.what());
      return Response::text(500, "internal error (the reason is in the server's log)\n");
    }
  }

  MHD_Result send(MHD_Connection* connection, Exchange& exchange) {
    Response& response = *exchange.response;
    const Request& request = exchange.request;
    spdlog::debug("{}: {} {} -> {}", options_.log_name, request.method, logged_path(exchange),
                  response.status);
    bool compressed = false;
    if (response.body.size() >= kGzipMinBytes) {
      auto accept = request.header("Accept-Encoding");
      if (accept && accepts_gzip(*accept)) {
        if (auto gzipped = gzip_compress(response.body)) {
          response.body = std::move(*gzipped);
          compressed = true;
        }
      }
    }
    MHD_Response* reply = MHD_create_response_from_buffer(
        response.body.size(), response.body.data(), MHD_RESPMEM_MUST_COPY);
    if (reply == nullptr) return MHD_NO;
    MHD_add_response_header(reply, "Content-Type", response.content_type.c_str());
    if (compressed) MHD_add_response_header(reply, "Content-Encoding", "gzip");
    if (response.body.size() >= kGzipMinBytes || compressed) {
      MHD_add_response_header(reply, "Vary", "Accept-Encoding");
    }
    for (const auto& [name, value] : options_.common_headers) {
      MHD_add_response_header(reply, name.c_str(), value.c_str());
    }
    for (const auto& [name, value] : response.headers) {
      MHD_add_response_header(reply, name.c_str(), value.c_str());
    }
    const MHD_Result queued =
        MHD_queue_response(connection, static_cast<unsigned>(response.status), reply);
    MHD_destroy_response(reply);
    return queued;
  }

  Routes routes_;
  ServerOptions options_;
  ConnectionTable connections_;
  WorkerPool workers_;
  int port_ = 0;
  MHD_Daemon* daemon_ = nullptr;  // last: its callbacks use everything above
};

Server::Server(const HostPort& where, Routes routes, ServerOptions options)
    : impl_(std::make_unique<Impl>(where, std::move(routes), std::move(options))) {}

Server::~Server() = default;

int Server::port() const { return impl_->port(); }

}  // namespace hc::http
