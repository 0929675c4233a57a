#include "site_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>
#include <variant>

#include "badge.h"
#include "history_request.h"
#include "maintenance.h"
#include "site_page.h"
#include "site_request.h"

namespace hc::serve {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kSvg = "image/svg+xml";

enum class BadgeKind { kStatus, kUptime, kResponseTime };

std::string path_param(const http::Request& request, std::string_view name) {
  const auto found = request.path_params.find(name);
  return found == request.path_params.end() ? std::string() : found->second;
}

http::Response svg(int status, const BadgeText& text, bool cacheable) {
  http::Response response;
  response.status = status;
  response.content_type = kSvg;
  response.body = badge_svg(text.label, text.message, text.color);
  response.headers.emplace_back(
      "Cache-Control",
      cacheable ? fmt::format("max-age={}", kBadgeMaxAgeSeconds) : std::string("no-store"));
  return response;
}

http::Handler site_page_route(StatusSource& source, const Clock& clock,
                              const SilenceBook* silences) {
  return [&source, &clock, silences](const http::Request& request) {
    auto site = decode_site(path_param(request, "site"));
    if (auto* bad = std::get_if<BadRequest>(&site)) {
      return http::Response::text(400, bad->message + "\n");
    }
    const WallTime now = clock.wall_now();
    auto query = parse_site_query(std::get<std::string>(std::move(site)), request.query, now);
    if (auto* bad = std::get_if<BadRequest>(&query)) {
      return http::Response::text(400, bad->message + "\n");
    }
    const auto& site_query = std::get<SiteQuery>(query);
    try {
      const auto detail = source.site(site_query.site, site_query.window, now);
      http::Response response;
      response.content_type = kHtml;
      if (!detail) {
        response.status = 404;
        response.body = render_unknown_site_page();
      } else {
        const MaintenanceLookup maintenance = maintenance_lookup(silences, now);
        response.body = render_site_page(
            *detail, site_query, now,
            maintenance ? maintenance(detail->site.url) : std::vector<SilenceNotice>{});
      }
      return response;
    } catch (const std::exception& error) {
      spdlog::warn("serve: site page: {}; answered 503", error.what());
      return http::Response::text(
          503,
          "status unavailable: the database could not be read (the reason is in hc serve's "
          "log)\n");
    }
  };
}

// `window` from the last segment ("24h.svg"): one of `allowed`, else empty.
std::string badge_window(const http::Request& request,
                         std::initializer_list<std::string_view> allowed) {
  const std::string segment = path_param(request, "window");
  for (const std::string_view window : allowed) {
    if (segment == fmt::format("{}.svg", window)) return std::string(window);
  }
  return "";
}

http::Handler badge_route(StatusSource& source, const Clock& clock, BadgeKind kind) {
  return [&source, &clock, kind](const http::Request& request) {
    std::string window;
    if (kind == BadgeKind::kUptime) {
      window = badge_window(request, {"24h", "7d", "30d"});
      if (window.empty())
        return http::Response::text(404, "uptime badges: 24h.svg, 7d.svg, 30d.svg\n");
    } else if (kind == BadgeKind::kResponseTime) {
      window = badge_window(request, {"24h", "7d"});
      if (window.empty())
        return http::Response::text(404, "response-time badges: 24h.svg, 7d.svg\n");
    }
    auto site = decode_site(path_param(request, "site"));
    if (auto* bad = std::get_if<BadRequest>(&site)) {
      return http::Response::text(400, bad->message + "\n");
    }
    const WallTime now = clock.wall_now();
    // The response-time badge of 7 d needs that window's p95; every other badge reads the
    // overview's numbers, with the smallest window.
    SiteWindow site_window{now - std::chrono::hours(1), now, HistoryStep::kHour};
    if (kind == BadgeKind::kResponseTime && window == "7d") {
      site_window = SiteWindow{now - std::chrono::days(7), now, HistoryStep::kDay};
    }
    try {
      const auto detail = source.site(std::get<std::string>(site), site_window, now);
      switch (kind) {
        case BadgeKind::kStatus:
          return svg(200, status_badge(detail), true);
        case BadgeKind::kUptime:
          return svg(200, uptime_badge(window, detail), true);
        case BadgeKind::kResponseTime:
          return svg(200, response_time_badge(window, detail), true);
      }
    } catch (const std::exception& error) {
      spdlog::warn("serve: badge: {}; answered 503", error.what());
    }
    return svg(503, BadgeText{"status", "unavailable", kBadgeGrey}, false);
  };
}

}  // namespace

void add_site_routes(http::Routes& routes, StatusSource& source, const Clock& clock,
                     const SilenceBook* silences) {
  routes.get("/sites/{site...}", site_page_route(source, clock, silences));
  routes.get("/badges/{site...}/status.svg", badge_route(source, clock, BadgeKind::kStatus));
  routes.get("/badges/{site...}/uptime/{window}", badge_route(source, clock, BadgeKind::kUptime));
  routes.get("/badges/{site...}/response-time/{window}",
             badge_route(source, clock, BadgeKind::kResponseTime));
}

}  // namespace hc::serve
