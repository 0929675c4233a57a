// What an HTTP server of hc answers: routes from method + path pattern to a handler. This is
// the surface a feature uses to add its pages and API calls (hc serve's StatusServer passes
// its Routes to an `add_more_routes` callback); the server itself is http_server.h.
//
// Patterns are matched against the request path as sent (not decoded), segment by segment:
//   "/api/v1/status"                 that path only
//   "/api/v1/silences/{id}"          {id}: one non-empty segment (no '/')
//   "/api/v1/sites/{url...}/history" {url...}: one or more segments, '/' included; at most
//                                    one such capture per pattern
// Captures land in Request::path_params still percent-encoded: decode them once with
// http::percent_decode (a path segment's '+' is a '+').
//
// A GET route also answers HEAD (the server sends its headers without the body). A path that
// some route matches with another method is a 405 with an Allow header; a path no route matches
// is the not-found handler's (default: a plain 404).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/http_message.h"

namespace hc::http {

// Called with a complete request (body read, at most max_body_bytes); returns the response.
// Thread: a worker of the server's pool (several at once), or the server's event thread for
// a route with `immediate` set. An exception is answered 500 and logged.
using Handler = std::function<Response(const Request&)>;

struct RouteOptions {
  // The largest body accepted (Content-Length or chunked); larger is a 413 before the body is
  // read. GET routes need none.
  std::size_t max_body_bytes = 0;
  // Run on the server's event thread, never queued behind the workers: for answers that must
  // come while every worker is busy (/healthz). The handler must be cheap and never block.
  bool immediate = false;
};

class Routes {
 public:
  // REQUIRES: `pattern` starts with '/' and holds at most one {name...} capture.
  // A later route with the same method and pattern is never reached: add each once.
  void add(std::string method, std::string_view pattern, Handler handler,
           RouteOptions options = {});
  void get(std::string_view pattern, Handler handler, RouteOptions options = {}) {
    add("GET", pattern, std::move(handler), options);
  }
  // Answers paths that no route matches (default: 404 "not found").
  void set_not_found(Handler handler) { not_found_ = std::move(handler); }

  struct Route {
    std::string method;
    std::string pattern;                // as added; what logs show instead of the path sent
    std::vector<std::string> segments;  // the pattern split at '/'
    Handler handler;
    RouteOptions options;
  };
  struct Match {
    const Route* route = nullptr;  // null: no route for this method (see allow)
    std::map<std::string, std::string, std::less<>> params;
    // Methods of the routes matching the path, "GET, HEAD" style; empty when none does.
    std::string allow;
  };
  // The route for `method` and the undecoded `path`. HEAD finds GET routes.
  Match find(std::string_view method, std::string_view path) const;
  const Handler& not_found() const { return not_found_; }

 private:
  std::vector<Route> routes_;
  Handler not_found_;
};

}  // namespace hc::http
