#include "status_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "html_escape.h"
#include "overview_request.h"
#include "uptime_bar.h"

namespace hc::serve {
namespace {

// Inline, so the page is one response; the Content-Security-Policy allows no other source.
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
td.url .history { display: block; font-size: 12px; color: var(--muted); }
td.num.bad, td.num.poor { color: var(--down); }
td.num.fair { color: #8a6d00; }
.state { display: inline-block; min-width: 52px; padding: 2px 10px; border-radius: 999px;
  font-weight: 600; font-size: 12px; text-align: center; }
.state.up { color: var(--up); background: var(--up-bg); }
.state.down { color: var(--down); background: var(--down-bg); }
td.error { color: var(--down); max-width: 200px; overflow: hidden; text-overflow: ellipsis; }
td.error.none, .none { color: var(--muted); }
td.cert.soon { color: var(--down); font-weight: 600; }
.bar { display: block; }
.bar .good { fill: #2f9e5b; } .bar .fair { fill: #9bc53d; } .bar .poor { fill: #f0a202; }
.bar .bad { fill: #d64045; } .bar .none { fill: #d5d9e0; }
.empty { padding: 24px 16px; color: var(--muted); }
nav.pages { margin: 8px 0 0; color: var(--muted); }
main nav.pages { margin: 16px 0 0; }
nav.pages a { margin-left: 12px; font-weight: 600; }
footer { padding: 0 28px 24px; color: var(--muted); font-size: 12px; }
)";

std::string time_text(WallTime time) {
  std::string text = format_timestamp(time).substr(0, 19);  // YYYY-MM-DDTHH:MM:SS
  text[10] = ' ';
  return text + " UTC";
}

std::string uptime_cell(const UptimeCount& count) {
  const auto percent = count.percent();
  if (!percent) return R"(<td class="num none">—</td>)";
  return fmt::format(R"(<td class="num {}" title="{} of {} checks up">{}</td>)",
                     uptime_grade(count), count.up_checks, count.checks, percent_text(*percent));
}

std::string milliseconds_text(std::int64_t micros) {
  const double ms = static_cast<double>(micros) / 1000.0;
  return ms >= 10.0 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.1f} ms", ms);
}

// The newest measurement's problem: its error class, else its failed conditions.
std::string last_error_cell(const SiteOverview& site) {
  std::string problem;
  if (site.last_error) {
    problem = *site.last_error;
  } else if (!site.last_failed_conditions.empty()) {
    problem = fmt::format("conditions: {}", fmt::join(site.last_failed_conditions, ", "));
  }
  if (problem.empty()) return R"(<td class="error none">—</td>)";
  const std::string escaped = html_escape(problem);
  return fmt::format(R"(<td class="error" title="{0}">{0}</td>)", escaped);
}

std::string cert_cell(const std::optional<double>& days_left) {
  if (!days_left) return R"(<td class="num cert none">—</td>)";
  constexpr double kSoonDays = 14;
  return fmt::format(R"(<td class="num cert{}">{:.0f} d</td>)",
                     *days_left < kSoonDays ? " soon" : "", std::floor(*days_left));
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

std::string site_row(const SiteOverview& site, WallTime now) {
  const std::string url = html_escape(site.url);
  const std::string state = site.up ? "up" : "down";
  const std::string link =
      is_http_url(site.url)
          ? fmt::format(R"(<a href="{0}" rel="noopener noreferrer" title="{0}">{0}</a>)", url)
          : fmt::format(R"(<span title="{0}">{0}</span>)", url);
  const std::string checked = format_timestamp(site.last_checked_at);
  return fmt::format(
      R"(<tr class="site" data-url="{url}" data-state="{state}">)"
      R"(<td class="url">{link}<a class="history" href="{history}?since=30d&amp;step=day">)"
      R"(history</a></td>)"
      R"(<td><span class="state {state}">{state}</span></td>)"
      R"(<td><time datetime="{checked}" title="{checked_text}">{age}</time></td>)"
      "{uptime_24h}{uptime_7d}{uptime_30d}<td class=\"num{p95_class}\">{p95}</td>"
      "{error}{cert}<td>{bar}</td></tr>\n",
      fmt::arg("url", url), fmt::arg("state", state), fmt::arg("link", link),
      fmt::arg("history", html_escape(history_path(site.url_digest))), fmt::arg("checked", checked),
      fmt::arg("checked_text", time_text(site.last_checked_at)),
      fmt::arg("age", age_text(site.last_checked_at, now)),
      fmt::arg("uptime_24h", uptime_cell(site.uptime_24h)),
      fmt::arg("uptime_7d", uptime_cell(site.uptime_7d)),
      fmt::arg("uptime_30d", uptime_cell(site.uptime_30d)),
      fmt::arg("p95_class", site.p95_response_us_24h ? "" : " none"),
      fmt::arg("p95",
               site.p95_response_us_24h ? milliseconds_text(*site.p95_response_us_24h) : "—"),
      fmt::arg("error", last_error_cell(site)), fmt::arg("cert", cert_cell(site.cert_days_left)),
      fmt::arg("bar", uptime_bar_svg(site.days, now)));
}

// "sites X–Y of T" with Previous/Next links (each absent at its end of the list); empty
// when the page has no sites.
std::string page_nav(const Overview& overview) {
  if (overview.sites.empty()) return "";
  const OverviewPage& page = overview.page;
  std::string nav =
      fmt::format("<nav class=\"pages\"><span class=\"range\">sites {}–{} of {}</span>",
                  page.offset + 1, page.offset + overview.sites.size(), overview.total_sites);
  if (const auto previous = previous_offset(overview)) {
    nav += fmt::format(R"( <a rel="prev" href="{}">Previous</a>)",
                       html_escape(overview_path("/", *previous, page.limit)));
  }
  if (const auto next = next_offset(overview)) {
    nav += fmt::format(R"( <a rel="next" href="{}">Next</a>)",
                       html_escape(overview_path("/", *next, page.limit)));
  }
  return nav + "</nav>\n";
}

constexpr std::string_view kTableHead =
    "<table><thead><tr><th>Site</th><th>State</th><th>Last check</th>"
    R"(<th class="num">24 h</th><th class="num">7 d</th><th class="num">30 d</th>)"
    R"(<th class="num">p95 24 h</th><th>Last error</th><th class="num">Cert</th>)"
    "<th>Last 90 days (UTC)</th></tr></thead><tbody>\n";

}  // namespace

std::string age_text(WallTime then, WallTime now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  if (seconds < 1) return "just now";
  if (seconds < 120) return fmt::format("{} s ago", seconds);
  constexpr std::int64_t kTwoHours = 7200;
  constexpr std::int64_t kTwoDays = 172800;
  if (seconds < kTwoHours) return fmt::format("{} min ago", seconds / 60);
  if (seconds < kTwoDays) return fmt::format("{} h ago", seconds / 3600);
  return fmt::format("{} d ago", seconds / 86400);
}

std::string history_path(std::string_view url) {
  std::string path = "/api/v1/sites/";
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      path.push_back(c);
    } else {
      path += fmt::format("%{:02X}", byte);
    }
  }
  return path + "/history";
}

std::string render_status_page(const Overview& overview, WallTime now) {
  const std::vector<SiteOverview>& sites = overview.sites;
  const std::size_t up = overview.up_sites;
  const std::size_t down = down_sites(overview);
  const std::string nav = page_nav(overview);
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"refresh\" content=\"60\">"
      "<title>hc status: {} up, {} down</title><style>{}</style></head>\n<body>"
      "<header><h1>hc status</h1><p class=\"summary\"><strong class=\"up\">{} up</strong> · "
      "<strong class=\"down\">{} down</strong> · {} sites · as of {}</p>{}</header>\n<main>\n",
      up, down, kStyle, up, down, overview.total_sites, time_text(now), nav);
  if (overview.total_sites == 0) {
    out +=
        "<section><p class=\"empty\">No measurements yet: the consumer has written no rows to "
        "the configured tables.</p></section>\n";
  } else if (sites.empty()) {
    out += fmt::format(
        "<section><p class=\"empty\">This page is empty: it starts at site {}, and there are "
        "{} sites. <a class=\"first\" href=\"{}\">First page</a></p></section>\n",
        overview.page.offset + 1, overview.total_sites,
        html_escape(overview_path("/", 0, overview.page.limit)));
  }
  // A table's first group on the page may have begun on the previous page, its last may go on
  // in the next: only the groups in between are known to be whole.
  const bool starts_list = overview.page.offset == 0;
  const bool ends_list = overview.page.offset + sites.size() >= overview.total_sites;
  for (std::size_t i = 0; i < sites.size();) {
    std::size_t end = i;
    while (end < sites.size() && sites[end].table == sites[i].table) ++end;
    const bool whole = (i > 0 || starts_list) && (end < sites.size() || ends_list);
    const std::string table = html_escape(sites[i].table);
    out += fmt::format(
        "<section class=\"table\" data-table=\"{0}\"><h2>{0} <small>{1} site{2}{3}"
        "</small></h2>\n{4}",
        table, end - i, end - i == 1 ? "" : "s", whole ? "" : " on this page", kTableHead);
    for (; i < end; ++i) out += site_row(sites[i], now);
    out += "</tbody></table></section>\n";
  }
  // Again below a long page, where there is somewhere to go.
  if (next_offset(overview) || previous_offset(overview)) out += nav;
  out +=
      "</main>\n<footer>24 h counts the 24 UTC hours ending with the current one, 7 d and 30 d "
      "whole UTC days ending today; p95 is of every check of the last 24 h. The page "
      "refreshes every minute. JSON: "
      "<a href=\"/api/v1/status\">/api/v1/status</a></footer>\n</body></html>\n";
  return out;
}

}  // namespace hc::serve
