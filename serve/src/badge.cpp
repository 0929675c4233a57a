#include "badge.h"

#include <fmt/format.h>

#include <cmath>

#include "html_escape.h"
#include "page_parts.h"
#include "uptime_bar.h"

namespace hc::serve {
namespace {

constexpr int kPadding = 6;  // px each side of a text
constexpr int kHeight = 20;

// Approximate Verdana 11 px advances, in tenths of a pixel, of the printable ASCII characters
// (space .. '~'); other code points count as a wide letter.
constexpr std::string_view kNarrow = "fijlrt.,:;!|'I ()[]{}";
constexpr std::string_view kWide = "mwMW%@";

int advance_tenths(unsigned char c) {
  if (kNarrow.find(static_cast<char>(c)) != std::string_view::npos) return 40;
  if (kWide.find(static_cast<char>(c)) != std::string_view::npos) return 105;
  if (c >= 'A' && c <= 'Z') return 75;
  return 68;
}

}  // namespace

int badge_text_width(std::string_view text) {
  int tenths = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: counted with its lead
    tenths += byte < 0x80 ? advance_tenths(byte) : 75;
  }
  return (tenths + 9) / 10;
}

std::string badge_svg(std::string_view label, std::string_view message, std::string_view color) {
  const int label_width = badge_text_width(label) + 2 * kPadding;
  const int message_width = badge_text_width(message) + 2 * kPadding;
  const int width = label_width + message_width;
  const std::string label_text = html_escape(label);
  const std::string message_text = html_escape(message);
  // The layout of shields' flat badges: a rounded clip, two rects, a light gradient, the texts
  // twice (a shadow 1 px below), in tenths of a pixel scaled by 0.1 for crisp positioning.
  return fmt::format(
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" )svg"
      R"svg(aria-label="{label}: {message}"><title>{label}: {message}</title>)svg"
      R"svg(<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" )svg"
      R"svg(stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>)svg"
      R"svg(<clipPath id="r"><rect width="{w}" height="{h}" rx="3" fill="#fff"/></clipPath>)svg"
      R"svg(<g clip-path="url(#r)"><rect width="{lw}" height="{h}" fill="#555"/>)svg"
      R"svg(<rect x="{lw}" width="{mw}" height="{h}" fill="{color}"/>)svg"
      R"svg(<rect width="{w}" height="{h}" fill="url(#s)"/></g>)svg"
      R"svg(<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" )svg"
      R"svg(text-rendering="geometricPrecision" font-size="110">)svg"
      R"svg(<text aria-hidden="true" x="{lx}" y="150" fill="#010101" fill-opacity=".3" )svg"
      R"svg(transform="scale(.1)" textLength="{ltl}">{label}</text>)svg"
      R"svg(<text x="{lx}" y="140" transform="scale(.1)" fill="#fff" textLength="{ltl}">{label}</text>)svg"
      R"svg(<text aria-hidden="true" x="{mx}" y="150" fill="#010101" fill-opacity=".3" )svg"
      R"svg(transform="scale(.1)" textLength="{mtl}">{message}</text>)svg"
      R"svg(<text x="{mx}" y="140" transform="scale(.1)" fill="#fff" textLength="{mtl}">{message})svg"
      R"svg(</text></g></svg>)svg",
      fmt::arg("w", width), fmt::arg("h", kHeight), fmt::arg("lw", label_width),
      fmt::arg("mw", message_width), fmt::arg("color", color), fmt::arg("label", label_text),
      fmt::arg("message", message_text), fmt::arg("lx", label_width * 5),
      fmt::arg("ltl", (label_width - 2 * kPadding) * 10),
      fmt::arg("mx", label_width * 10 + message_width * 5),
      fmt::arg("mtl", (message_width - 2 * kPadding) * 10));
}

BadgeText status_badge(const std::optional<SiteDetail>& detail) {
  if (!detail) return {"status", "unknown", kBadgeGrey};
  const std::string state = detail->state.value_or(detail->site.state);
  if (state == "up") return {"status", "up", kBadgeGreen};
  if (state == "down") return {"status", "down", kBadgeRed};
  return {"status", "unknown", kBadgeGrey};
}

BadgeText uptime_badge(std::string_view window, const std::optional<SiteDetail>& detail) {
  std::string label = fmt::format("uptime {}", window);
  if (!detail) return {std::move(label), "unknown", kBadgeGrey};
  const UptimeCount& count = window == "24h"  ? detail->site.uptime_24h
                             : window == "7d" ? detail->site.uptime_7d
                                              : detail->site.uptime_30d;
  const auto percent = count.percent();
  if (!percent) return {std::move(label), "no checks", kBadgeGrey};
  const std::string_view grade = uptime_grade(count);
  const std::string_view color = grade == "good"   ? kBadgeGreen
                                 : grade == "fair" ? kBadgeYellowGreen
                                 : grade == "poor" ? kBadgeYellow
                                                   : kBadgeRed;
  return {std::move(label), percent_text(*percent), color};
}

BadgeText response_time_badge(std::string_view window, const std::optional<SiteDetail>& detail) {
  std::string label = fmt::format("response time {}", window);
  if (!detail) return {std::move(label), "unknown", kBadgeGrey};
  const auto& p95 = window == "24h" ? detail->site.p95_response_us_24h : detail->window_p95_us;
  if (!p95) return {std::move(label), "no checks", kBadgeGrey};
  return {std::move(label), milliseconds_text(*p95), kBadgeBlue};
}

}  // namespace hc::serve
