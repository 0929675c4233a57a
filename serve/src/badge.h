// Status badges in the shields.io "flat" style: a grey label and a coloured message, as one
// standalone SVG document (no script, no external reference). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hc/store/site_detail.h"

namespace hc::serve {

// Message colours (shields' named colours).
inline constexpr std::string_view kBadgeGreen = "#4c1";
inline constexpr std::string_view kBadgeYellowGreen = "#a4a61d";
inline constexpr std::string_view kBadgeYellow = "#dfb317";
inline constexpr std::string_view kBadgeRed = "#e05d44";
inline constexpr std::string_view kBadgeBlue = "#007ec6";
inline constexpr std::string_view kBadgeGrey = "#9f9f9f";

// An <svg> badge "label | message". `label` and `message` are escaped here (html_escape: valid
// XML); the width follows their text (Verdana 11 px metrics, approximately). `color` is one of
// the constants above.
std::string badge_svg(std::string_view label, std::string_view message, std::string_view color);

// The width in px that the badge gives `text` (its glyphs' approximate Verdana 11 px advance).
int badge_text_width(std::string_view text);

// What a badge says; `color` one of the constants above.
struct BadgeText {
  std::string label;
  std::string message;
  std::string_view color;
};

// "status | up" (green), "down" (red), "unknown" (grey: no such site, or no state yet). The
// state is the newest event's when the config has an events table, else the last check's.
BadgeText status_badge(const std::optional<SiteDetail>& detail);

// "uptime 7d | 99.93%", coloured by uptime_grade (good green, fair yellow-green, poor yellow,
// bad red); "no checks" grey; "unknown" grey without a site. `window`: "24h", "7d", "30d".
BadgeText uptime_badge(std::string_view window, const std::optional<SiteDetail>& detail);

// "response time 24h | 123 ms" (blue): the p95 of the window's checks; "no checks" or
// "unknown" grey. `window`: "24h" (the overview's 24 h p95) or "7d" (the detail's window p95:
// the caller reads a 7-day window).
BadgeText response_time_badge(std::string_view window, const std::optional<SiteDetail>& detail);

}  // namespace hc::serve
