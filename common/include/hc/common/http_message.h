// The request and response values of hc's HTTP servers (http_server.h): plain data, no I/O.
// Handlers read a Request and return a Response; nothing here knows the server library.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hc::http {

// Query parameters in the order sent, names and values percent-decoded ('+' is a space).
// A name given twice is there twice: parsers decide whether that is an error.
using QueryParams = std::multimap<std::string, std::string>;

struct Request {
  std::string method;  // as sent, e.g. "GET", "HEAD"
  // The request target exactly as received ("/api/v1/sites/https%3A%2F%2Fa%2F/history?x=1"):
  // for handlers that must decode a path segment exactly once themselves.
  std::string target;
  std::string path;  // the target before '?', not decoded
  QueryParams query;
  // Header fields in the order sent; names as sent (compare with header()).
  std::vector<std::pair<std::string, std::string>> headers;
  // The route's {name} / {name...} captures (http_routes.h), not decoded.
  std::map<std::string, std::string, std::less<>> path_params;
  std::string body;  // at most the route's max_body_bytes

  // The first field named `name` (ASCII case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;  // sent as is; the server may gzip it for a client that accepts gzip
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type

  // A text/plain response (`body` should end in a newline).
  static Response text(int status, std::string body);
};

// Splits "a=1&b=x+y&c" into {a: "1", b: "x y", c: ""}, percent-decoding names and values. A
// malformed escape is kept as sent.
QueryParams parse_query(std::string_view query);

// Decodes %XX escapes ('+' stays '+'). nullopt for a malformed escape ("%", "%4", "%zz").
std::optional<std::string> percent_decode(std::string_view text);

// The value of a hex digit (0-9, a-f, A-F), or -1 for any other character.
int hex_digit_value(char c);

// ASCII case-insensitive equality (header names, methods in Allow lists).
bool iequals(std::string_view a, std::string_view b);

}  // namespace hc::http
