#include "status_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "html_escape.h"
#include "overview_request.h"
#include "page_parts.h"
#include "uptime_bar.h"

namespace hc::serve {
namespace {

std::string uptime_cell(const UptimeCount& count) {
  const auto percent = count.percent();
  if (!percent) return R"(<td class="num none">—</td>)";
  return fmt::format(R"(<td class="num {}" title="{} of {} checks up">{}</td>)",
                     uptime_grade(count), count.up_checks, count.checks, percent_text(*percent));
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

std::string site_row(const SiteOverview& site, WallTime now, const MaintenanceLookup& maintenance) {
  const std::string url = html_escape(site.url);
  const std::string state = html_escape(site.state);
  const std::string since =
      site.state_since ? " title=\"since " + format_timestamp(*site.state_since) + "\"" : "";
  const std::string link =
      is_http_url(site.url)
          ? fmt::format(R"(<a href="{0}" rel="noopener noreferrer" title="{0}">{0}</a>)", url)
          : fmt::format(R"(<span title="{0}">{0}</span>)", url);
  // http is the common case and needs no mark; another check's type is said beside its URL.
  const std::string check_type =
      site.check_type == "http"
          ? ""
          : fmt::format(R"( <span class="type">{}</span>)", html_escape(site.check_type));
  const std::string checked = format_timestamp(site.last_checked_at);
  return fmt::format(
      R"(<tr class="site" data-url="{url}" data-state="{state}">)"
      R"(<td class="url">{link}{type}{maintenance}<span class="history">)"
      R"(<a class="details" href="{details}">details</a> · )"
      R"(<a href="{history}?since=30d&amp;step=day">history</a></span></td>)"
      R"(<td><span class="state {state}"{since}>{state}</span></td>)"
      R"(<td><time datetime="{checked}" title="{checked_text}">{age}</time></td>)"
      "{uptime_24h}{uptime_7d}{uptime_30d}<td class=\"num{p95_class}\">{p95}</td>"
      "{error}{cert}<td>{bar}</td></tr>\n",
      fmt::arg("url", url), fmt::arg("state", state), fmt::arg("since", since),
      fmt::arg("link", link), fmt::arg("type", check_type),
      fmt::arg("maintenance",
               maintenance ? maintenance_mark_html(maintenance(site.url), now) : std::string()),
      fmt::arg("details", html_escape(site_page_path(site.url_digest))),
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
  return "/api/v1/sites/" + percent_encode(url) + "/history";
}

std::string render_status_page(const Overview& overview, WallTime now,
                               const MaintenanceLookup& maintenance) {
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
      up, down, page_style(), up, down, overview.total_sites, time_text(now), nav);
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
    for (; i < end; ++i) out += site_row(sites[i], now, maintenance);
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
