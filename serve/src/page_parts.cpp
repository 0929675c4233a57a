#include "page_parts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace hc::serve {
namespace {

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb;
  --up: #1f7a4a; --up-bg: #dff3e7; --down: #b42318; --down-bg: #fde4e1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f5f7fa; }
header { padding: 20px 28px 12px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 6px; font-size: 22px; }
.summary { margin: 0; color: var(--muted); }
.summary strong.up { color: var(--up); }
.summary strong.down { color: var(--down); }
main { padding: 8px 28px 28px; }
section { margin-top: 20px; background: #fff; border: 1px solid var(--line); border-radius: 8px;
  overflow-x: auto; }
h2 { margin: 0; padding: 12px 16px; font-size: 16px; border-bottom: 1px solid var(--line); }
h2 small { font-weight: normal; color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 8px 10px; text-align: left; vertical-align: middle; white-space: nowrap;
  border-bottom: 1px solid var(--line); }
th { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; }
tr:last-child td { border-bottom: 0; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.url { max-width: 280px; overflow: hidden; text-overflow: ellipsis; }
td.url a { color: var(--ink); text-decoration: none; font-weight: 500; }
td.url a:hover { text-decoration: underline; }
td.url .type { font-size: 11px; color: var(--muted); border: 1px solid var(--line);
  border-radius: 3px; padding: 0 3px; }
td.url .maintenance { display: block; font-size: 12px; color: #8a5a00; }
td.url .maintenance.now { font-weight: 600; }
td.url .history { display: block; font-size: 12px; color: var(--muted); }
td.url .history a { font-weight: normal; color: var(--muted); }
td.num.bad, td.num.poor { color: var(--down); }
td.num.fair { color: #8a6d00; }
.state { display: inline-block; min-width: 52px; padding: 2px 10px; border-radius: 999px;
  font-weight: 600; font-size: 12px; text-align: center; }
.state.up { color: var(--up); background: var(--up-bg); }
.state.down { color: var(--down); background: var(--down-bg); }
.state.unknown { color: var(--muted); background: var(--line); }
td.error { color: var(--down); max-width: 200px; overflow: hidden; text-overflow: ellipsis; }
td.error.none, .none { color: var(--muted); }
td.cert.soon { color: var(--down); font-weight: 600; }
.bar { display: block; }
.bar path { stroke-width: 24px; stroke-dasharray: 2 1; shape-rendering: crispEdges; }
.bar .good { stroke: #2f9e5b; } .bar .fair { stroke: #9bc53d; } .bar .poor { stroke: #f0a202; }
.bar .bad { stroke: #d64045; } .bar .none { stroke: #d5d9e0; }
.empty { padding: 24px 16px; color: var(--muted); }
nav.pages { margin: 8px 0 0; color: var(--muted); }
main nav.pages { margin: 16px 0 0; }
nav.pages a { margin-left: 12px; font-weight: 600; }
footer { padding: 0 28px 24px; color: var(--muted); font-size: 12px; }
)";

}  // namespace

std::string_view page_style() { return kStyle; }

std::string time_text(WallTime time) {
  std::string text = format_timestamp(time).substr(0, 19);  // YYYY-MM-DDTHH:MM:SS
  text[10] = ' ';
  return text + " UTC";
}

std::string milliseconds_text(std::int64_t micros) {
  const double ms = static_cast<double>(micros) / 1000.0;
  return ms >= 10.0 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.1f} ms", ms);
}

std::string duration_text(std::chrono::microseconds length) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(length).count();
  constexpr std::int64_t kMinute = 60;
  constexpr std::int64_t kHour = 3600;
  constexpr std::int64_t kDay = 86400;
  if (seconds < kMinute) return fmt::format("{} s", std::max<std::int64_t>(seconds, 0));
  if (seconds < kHour) return fmt::format("{} min", seconds / kMinute);
  if (seconds < kDay) {
    const std::int64_t minutes = seconds % kHour / kMinute;
    return minutes == 0 ? fmt::format("{} h", seconds / kHour)
                        : fmt::format("{} h {} min", seconds / kHour, minutes);
  }
  const std::int64_t hours = seconds % kDay / kHour;
  return hours == 0 ? fmt::format("{} d", seconds / kDay)
                    : fmt::format("{} d {} h", seconds / kDay, hours);
}

bool is_http_url(std::string_view url) {
  auto starts_with = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), url.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == b;
    });
  };
  return starts_with("http://") || starts_with("https://");
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::string site_page_path(std::string_view site) { return "/sites/" + percent_encode(site); }

}  // namespace hc::serve
