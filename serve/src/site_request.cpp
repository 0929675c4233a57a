#include "site_request.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "history_request.h"

namespace hc::serve {
namespace {

using std::chrono::days;
using std::chrono::hours;

struct NamedWindow {
  std::string_view name;
  hours span;
};
constexpr std::array<NamedWindow, 4> kWindows = {
    {{"24h", hours(24)}, {"7d", days(7)}, {"30d", days(30)}, {"90d", days(90)}}};
constexpr hours kLongestHourlyWindow = days(7);

}  // namespace

std::variant<SiteQuery, BadRequest> parse_site_query(std::string site, const QueryParams& params,
                                                     WallTime now) {
  for (const auto& [name, value] : params) {
    if (name != "since" && name != "from" && name != "to") {
      return BadRequest{
          fmt::format("unknown parameter '{}': expected since, or from and to", echo(name))};
    }
    if (params.count(name) > 1) return BadRequest{fmt::format("parameter '{}' given twice", name)};
  }
  const auto since = params.find("since");
  const auto from = params.find("from");
  const auto to = params.find("to");
  SiteQuery query;
  query.site = std::move(site);
  if (since != params.end() && (from != params.end() || to != params.end())) {
    return BadRequest{"give since, or from and to, not both"};
  }
  if (from == params.end() && to != params.end()) return BadRequest{"to: needs from"};
  if (from != params.end()) {
    const auto start = parse_timestamp(from->second);
    if (!start) {
      return BadRequest{
          fmt::format("from: expected an RFC 3339 UTC time like 2026-11-01T00:00:00Z, got '{}'",
                      echo(from->second))};
    }
    WallTime end = now;
    if (to != params.end()) {
      const auto parsed = parse_timestamp(to->second);
      if (!parsed) {
        return BadRequest{
            fmt::format("to: expected an RFC 3339 UTC time like 2026-12-01T00:00:00Z, got '{}'",
                        echo(to->second))};
      }
      end = std::min(*parsed, now);
    }
    if (*start >= end) return BadRequest{"from: must be before to (and before now)"};
    if (end - *start > kMaxHistorySpan || now - *start > kMaxHistorySpan) {
      return BadRequest{fmt::format("from: at most {} days back", kMaxHistorySpan.count() / 24)};
    }
    query.window.from = *start;
    query.window.to = end;
  } else {
    const std::string name = since == params.end() ? "7d" : since->second;
    const auto* found =
        std::find_if(kWindows.begin(), kWindows.end(),
                     [&](const NamedWindow& window) { return window.name == name; });
    if (found == kWindows.end()) {
      return BadRequest{fmt::format("since: expected 24h, 7d, 30d or 90d, got '{}'", echo(name))};
    }
    query.since = name;
    query.window.from = now - std::chrono::duration_cast<std::chrono::microseconds>(found->span);
    query.window.to = now;
  }
  const bool hourly = query.window.to - query.window.from <= kLongestHourlyWindow;
  query.window.step = hourly ? HistoryStep::kHour : HistoryStep::kDay;
  query.window.from = hourly ? WallTime(std::chrono::floor<hours>(query.window.from))
                             : WallTime(std::chrono::floor<days>(query.window.from));
  return query;
}

}  // namespace hc::serve
