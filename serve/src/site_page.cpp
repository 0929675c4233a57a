#include "site_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "html_escape.h"
#include "page_parts.h"
#include "response_chart.h"
#include "status_page.h"
#include "uptime_bar.h"

namespace hc::serve {
namespace {

// Added to page_style() on this page.
constexpr std::string_view kSiteStyle = R"(
header .crumbs { margin: 0 0 6px; font-size: 13px; }
header .crumbs a { color: var(--muted); }
h1.site { font-size: 20px; overflow-wrap: anywhere; }
h1.site a { color: var(--ink); }
nav.windows { margin: 10px 0 0; }
nav.windows a { display: inline-block; margin: 0 6px 4px 0; padding: 2px 10px; border: 1px solid var(--line);
  border-radius: 999px; color: var(--ink); text-decoration: none; }
nav.windows a[aria-current] { background: var(--ink); color: #fff; border-color: var(--ink); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px;
  margin-top: 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { display: block; font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; }
.card .value { display: block; font-size: 20px; font-weight: 600; margin: 2px 0;
  font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.card .value.up { color: var(--up); } .card .value.down, .card .value.bad,
.card .value.poor { color: var(--down); } .card .value.fair { color: #8a6d00; }
.card .detail { display: block; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
section.box { padding: 0 0 12px; }
section.box p { margin: 10px 16px; }
section.maintenance ul { margin: 10px 16px; padding-left: 18px; }
section.maintenance li.now strong { color: #8a5a00; }
.legend { margin: 10px 16px 4px; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 14px; height: 3px; margin: 0 4px 3px 10px;
  vertical-align: middle; }
.legend i.p50 { background: #2563eb; } .legend i.p95 { background: #d97706; }
.legend i.down { height: 10px; background: #f8d0cb; } .legend i.failing { height: 10px;
  background: #fcefd9; }
svg.chart { display: block; width: 100%; height: auto; padding: 0 8px; }
td.wrap { white-space: normal; overflow-wrap: anywhere; min-width: 160px; }
code { font-size: 12px; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  header, main { padding-left: 12px; padding-right: 12px; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  svg.chart { min-width: 600px; }
  svg.chart text { font-size: 19px; }
  svg.chart .tick.minor { display: none; }
}
)";

struct WindowLink {
  std::string_view since;
  std::string_view label;
};
constexpr std::array<WindowLink, 4> kWindowLinks = {
    {{"24h", "24 h"}, {"7d", "7 d"}, {"30d", "30 d"}, {"90d", "90 d"}}};

std::string card(std::string_view label, const std::string& value, std::string_view value_class,
                 const std::string& detail) {
  return fmt::format(
      R"(<div class="card"><span class="label">{}</span><strong class="value {}">{}</strong>)"
      R"(<span class="detail">{}</span></div>)",
      label, value_class, value, detail);
}

std::string uptime_card(std::string_view label, const UptimeCount& count) {
  const auto percent = count.percent();
  if (!percent) return card(label, "—", "none", "no checks");
  return card(label, percent_text(*percent), uptime_grade(count),
              fmt::format("{} of {} checks up", count.up_checks, count.checks));
}

std::string latency_text(const std::optional<std::int64_t>& micros) {
  return micros ? milliseconds_text(*micros) : std::string("—");
}

// The cause of an incident or a check: error class, detail and status, escaped.
std::string cause_text(const std::optional<std::string>& error, const std::string& detail,
                       const std::optional<int>& status_code) {
  std::string text = error.value_or("");
  if (!detail.empty()) text += (text.empty() ? "" : ": ") + detail;
  const std::string status = status_code ? fmt::format("HTTP {}", *status_code) : "";
  if (status_code && detail.find(status) == std::string::npos) {
    text += (text.empty() ? "" : " · ") + status;
  }
  return text.empty() ? std::string("—") : html_escape(text);
}

std::string conditions_text(const std::vector<std::string>& conditions) {
  return conditions.empty() ? std::string("—")
                            : html_escape(fmt::format("{}", fmt::join(conditions, ", ")));
}

std::string cards(const SiteDetail& detail, WallTime now) {
  const SiteOverview& site = detail.site;
  std::string out = "<section class=\"cards\" aria-label=\"summary\">";
  const std::string state = detail.state.value_or(site.state);
  std::string since = "by the last check (no events table)";
  if (detail.state_since) {
    since = fmt::format(R"(since <time datetime="{}">{}</time> ({}))",
                        format_timestamp(*detail.state_since), time_text(*detail.state_since),
                        age_text(*detail.state_since, now));
  } else if (detail.has_events_table) {
    since = "no state change recorded yet";
  }
  out += card("State", html_escape(state), html_escape(state), since);
  out += uptime_card("Uptime 24 h", site.uptime_24h);
  out += uptime_card("Uptime 7 d", site.uptime_7d);
  out += uptime_card("Uptime 30 d", site.uptime_30d);
  out += uptime_card("Uptime, this window", detail.window_count);
  out += card("p50 / p95, this window",
              fmt::format("{} / {}", latency_text(detail.window_p50_us),
                          latency_text(detail.window_p95_us)),
              "", fmt::format("p95 last 24 h: {}", latency_text(site.p95_response_us_24h)));
  std::chrono::microseconds downtime{0};
  for (const Incident& incident : detail.incidents) {
    downtime += downtime_within(incident, detail.window.from, detail.window.to);
  }
  out += card("Outages, this window",
              detail.has_events_table ? fmt::format("{}", detail.incidents.size()) : "—",
              detail.incidents.empty() ? "" : "down",
              detail.has_events_table ? "downtime " + duration_text(downtime)
                                      : "no events table configured");
  std::string last = site.last_status_code ? fmt::format("HTTP {}", *site.last_status_code) : "";
  if (site.last_error) last += (last.empty() ? "" : " · ") + html_escape(*site.last_error);
  out += card("Last check",
              fmt::format(R"(<time datetime="{}" title="{}">{}</time>)",
                          format_timestamp(site.last_checked_at), time_text(site.last_checked_at),
                          age_text(site.last_checked_at, now)),
              site.last_check_up ? "up" : "down", last.empty() ? std::string("—") : last);
  constexpr double kSoonDays = 14;
  out += site.cert_days_left
             ? card("Certificate", fmt::format("{:.0f} d", std::floor(*site.cert_days_left)),
                    *site.cert_days_left < kSoonDays ? "bad" : "", "until it expires")
             : card("Certificate", "—", "none", "no certificate seen");
  out += card("Failed conditions", conditions_text(site.last_failed_conditions),
              site.last_failed_conditions.empty() ? "" : "down", "of the last check");
  return out + "</section>\n";
}

std::string chart_section(const SiteDetail& detail) {
  const char* per = detail.window.step == HistoryStep::kHour ? "hour" : "UTC day";
  return fmt::format(
      "<section class=\"box chart-box\"><h2>Response time <small>p50 and p95 per {}</small></h2>"
      "<div class=\"legend\"><i class=\"p50\"></i>p50<i class=\"p95\"></i>p95"
      "<i class=\"down\"></i>down (incident)<i class=\"failing\"></i>failed checks</div>{}"
      "</section>\n",
      per, response_time_chart_svg(detail.window, detail.buckets, detail.incidents));
}

std::string incidents_section(const SiteDetail& detail, WallTime now) {
  std::string out = fmt::format(
      "<section class=\"box incidents\"><h2>Incidents <small>{} in this window</small></h2>\n",
      detail.incidents.size());
  if (!detail.has_events_table) {
    return out +
           "<p class=\"empty\">Incidents come from the state-change events: this configuration "
           "has no events table (a consumer route with <code>kind: events</code>).</p></section>\n";
  }
  if (detail.incidents_truncated) {
    out += fmt::format("<p class=\"note\">Only the newest {} state changes were read.</p>",
                       kMaxSiteEvents);
  }
  if (detail.incidents.empty()) {
    return out + "<p class=\"empty\">No outage in this window.</p></section>\n";
  }
  out +=
      "<table><thead><tr><th>Start</th><th>End</th><th class=\"num\">Length</th><th>Cause</th>"
      "<th>Failed conditions</th></tr></thead><tbody>\n";
  for (auto it = detail.incidents.rbegin(); it != detail.incidents.rend(); ++it) {
    const Incident& incident = *it;
    const std::string end =
        incident.end ? fmt::format(R"(<time datetime="{}">{}</time>)",
                                   format_timestamp(*incident.end), time_text(*incident.end))
                     : std::string(R"(<strong class="ongoing">ongoing</strong>)");
    out += fmt::format(
        R"(<tr class="incident"><td><time datetime="{}">{}</time></td><td>{}</td>)"
        R"(<td class="num">{}</td><td class="wrap">{}</td><td class="wrap">{}</td></tr>)"
        "\n",
        format_timestamp(incident.start), time_text(incident.start), end,
        duration_text(incident.end.value_or(now) - incident.start),
        cause_text(incident.error, incident.error_detail, incident.status_code),
        conditions_text(incident.failed_conditions));
  }
  return out + "</tbody></table></section>\n";
}

std::string badges_section(const SiteDetail& detail) {
  const std::string base = "/badges/" + percent_encode(detail.site.url_digest);
  std::string out =
      "<section class=\"box badges\"><h2>Badges <small>SVG, for a README or a wiki</small></h2>"
      "<p>";
  for (const std::string_view badge :
       {"status.svg", "uptime/24h.svg", "uptime/7d.svg", "uptime/30d.svg", "response-time/24h.svg",
        "response-time/7d.svg"}) {
    out += fmt::format("<code>{}/{}</code><br>", html_escape(base), badge);
  }
  return out + "</p></section>\n";
}

std::string window_nav(const SiteDetail& detail, const SiteQuery& query) {
  const std::string page = html_escape(site_page_path(detail.site.url_digest));
  std::string out = "<nav class=\"windows\" aria-label=\"window\">";
  for (const WindowLink& link : kWindowLinks) {
    out += fmt::format(R"(<a href="{}?since={}"{}>{}</a>)", page, link.since,
                       query.since == link.since ? R"( aria-current="page")" : "", link.label);
  }
  return out + fmt::format("<span class=\"range\">{} – {}</span></nav>",
                           time_text(detail.window.from), time_text(detail.window.to));
}

}  // namespace

std::string render_site_page(const SiteDetail& detail, const SiteQuery& query, WallTime now,
                             const std::vector<SilenceNotice>& maintenance) {
  const SiteOverview& site = detail.site;
  const std::string url = html_escape(site.url);
  const std::string state = html_escape(detail.state.value_or(site.state));
  const std::string heading =
      is_http_url(site.url) ? fmt::format(R"(<a href="{0}" rel="noopener noreferrer">{0}</a>)", url)
                            : url;
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>hc: {url} is {state}</title><style>{style}{site_style}</style></head>\n<body>"
      "<header><p class=\"crumbs\"><a href=\"/\">← all sites</a></p>"
      "<h1 class=\"site\" data-state=\"{state}\">{heading}</h1>"
      "<p class=\"summary\">table {table} · as of {now}</p>{nav}</header>\n<main>\n",
      fmt::arg("url", url), fmt::arg("state", state), fmt::arg("style", page_style()),
      fmt::arg("site_style", kSiteStyle), fmt::arg("heading", heading),
      fmt::arg("table", html_escape(site.table)), fmt::arg("now", time_text(now)),
      fmt::arg("nav", window_nav(detail, query)));
  out += maintenance_section_html(maintenance, now);
  out += cards(detail, now);
  out += chart_section(detail);
  out += incidents_section(detail, now);
  out += badges_section(detail);
  out +=
      "</main>\n<footer>Times are UTC. 24 h counts the 24 UTC hours ending with the current one, "
      "7 d and 30 d whole UTC days ending today; the window's numbers are of its whole buckets. "
      "Outages are the site's changes to down (state-change events).</footer>\n</body></html>\n";
  return out;
}

std::string render_unknown_site_page() {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>hc: no such site</title><style>{}</style></head>\n<body><header><h1>No such "
      "site</h1><p class=\"summary\">No configured table has measurements of this URL. "
      "<a href=\"/\">All sites</a></p></header></body></html>\n",
      page_style());
}

}  // namespace hc::serve
