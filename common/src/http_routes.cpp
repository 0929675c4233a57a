#include "hc/common/http_routes.h"

#include <algorithm>

namespace hc::http {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_capture(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
bool is_rest_capture(std::string_view segment) {
  return is_capture(segment) && segment.substr(segment.size() - 4) == "...}";
}
std::string capture_name(std::string_view segment) {
  segment = segment.substr(1, segment.size() - 2);
  if (segment.size() >= 3 && segment.substr(segment.size() - 3) == "...") {
    segment.remove_suffix(3);
  }
  return std::string(segment);
}

bool matches_segment(std::string_view pattern, std::string_view segment,
                     std::map<std::string, std::string, std::less<>>& params) {
  if (is_capture(pattern)) {
    if (segment.empty()) return false;
    params[capture_name(pattern)] = std::string(segment);
    return true;
  }
  return pattern == segment;
}

// Whether `path` fits `pattern`; fills `params` when it does.
bool matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
             std::map<std::string, std::string, std::less<>>& params) {
  params.clear();
  const auto rest = std::find_if(pattern.begin(), pattern.end(),
                                 [](const std::string& s) { return is_rest_capture(s); });
  if (rest == pattern.end()) {
    if (pattern.size() != path.size()) return false;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (!matches_segment(pattern[i], path[i], params)) return false;
    }
    return true;
  }
  const auto before = static_cast<std::size_t>(rest - pattern.begin());
  const std::size_t after = pattern.size() - before - 1;
  if (path.size() < before + after + 1) return false;
  for (std::size_t i = 0; i < before; ++i) {
    if (!matches_segment(pattern[i], path[i], params)) return false;
  }
  for (std::size_t i = 0; i < after; ++i) {
    if (!matches_segment(pattern[before + 1 + i], path[path.size() - after + i], params)) {
      return false;
    }
  }
  // The captured segments, rejoined as sent.
  const std::string_view first = path[before];
  const std::string_view last = path[path.size() - after - 1];
  const std::string_view captured(
      first.data(), static_cast<std::size_t>(last.data() + last.size() - first.data()));
  if (captured.empty()) return false;
  params[capture_name(*rest)] = std::string(captured);
  return true;
}

}  // namespace

void Routes::add(std::string method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
  std::vector<std::string> segments;
  for (std::string_view segment : split_path(pattern)) segments.emplace_back(segment);
  routes_.push_back(Route{std::move(method), std::string(pattern), std::move(segments),
                          std::move(handler), options});
}

Routes::Match Routes::find(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const auto segments = split_path(path);
  Match match;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (!matches(route.segments, segments, params)) continue;
    if (match.route == nullptr && route.method == wanted) {
      match.route = &route;
      match.params = params;
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  for (std::string_view allowed_method : allowed) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += allowed_method;
    if (allowed_method == "GET") match.allow += ", HEAD";
  }
  return match;
}

}  // namespace hc::http
