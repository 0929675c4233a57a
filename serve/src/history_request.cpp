#include "history_request.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "hc/common/duration.h"
#include "hc/common/http_message.h"
#include "hc/common/url_digest.h"

namespace hc::serve {
namespace {

constexpr std::size_t kMaxTableNameBytes = 63;

}  // namespace

std::variant<std::string, BadRequest> site_url_from_target(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.rfind(kSitesPrefix, 0) != 0 ||
      path.size() < kSitesPrefix.size() + kHistorySuffix.size() ||
      path.substr(path.size() - kHistorySuffix.size()) != kHistorySuffix) {
    return BadRequest{"expected /api/v1/sites/{url-encoded URL}/history"};
  }
  return decode_site(
      path.substr(kSitesPrefix.size(), path.size() - kSitesPrefix.size() - kHistorySuffix.size()));
}

std::variant<std::string, BadRequest> decode_site(std::string_view encoded) {
  std::optional<std::string> decoded = http::percent_decode(encoded);
  if (!decoded) return BadRequest{"the site URL in the path has a malformed percent escape"};
  std::string url = std::move(*decoded);
  if (url.empty()) return BadRequest{"the site URL in the path is empty"};
  if (url.size() > kMaxSiteUrlBytes) {
    return BadRequest{fmt::format("the site URL is longer than {} bytes", kMaxSiteUrlBytes)};
  }
  if (url.find('\0') != std::string::npos) return BadRequest{"the site URL contains a NUL byte"};
  return url;
}

std::string site_digest(std::string_view site) {
  constexpr std::size_t kDigestHexDigits = 64;
  const bool is_digest = site.size() == kDigestHexDigits &&
                         site.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  return is_digest ? std::string(site) : url_digest(site);
}

std::variant<HistoryQuery, BadRequest> parse_history_query(std::string url,
                                                           const QueryParams& params,
                                                           WallTime now) {
  for (const auto& [name, value] : params) {
    if (name != "since" && name != "step" && name != "table") {
      return BadRequest{
          fmt::format("unknown parameter '{}': expected since, step or table", echo(name))};
    }
    if (params.count(name) > 1) return BadRequest{fmt::format("parameter '{}' given twice", name)};
  }
  auto value_of = [&](const std::string& name, const std::string& fallback) {
    const auto found = params.find(name);
    return found == params.end() ? fallback : found->second;
  };
  HistoryQuery query;
  query.url = std::move(url);

  const std::string step = value_of("step", "hour");
  if (step == "hour") {
    query.step = HistoryStep::kHour;
  } else if (step == "day") {
    query.step = HistoryStep::kDay;
  } else {
    return BadRequest{fmt::format("step: expected hour or day, got '{}'", echo(step))};
  }

  const std::string since = value_of("since", "24h");
  if (auto time = parse_timestamp(since)) {
    query.since = *time;
  } else if (auto duration = parse_duration(since)) {
    // parse_duration bounds it to 10,000 years: no overflow in microseconds.
    query.since = now - std::chrono::duration_cast<std::chrono::microseconds>(*duration);
  } else {
    return BadRequest{fmt::format(
        "since: expected an RFC 3339 UTC time like 2026-11-01T00:00:00Z or a duration like "
        "90m, 24h or 7d, got '{}'",
        echo(since))};
  }
  if (query.since > now) return BadRequest{"since: the time is in the future"};
  if (now - query.since > kMaxHistorySpan) {
    return BadRequest{fmt::format("since: at most {} days back", kMaxHistorySpan.count() / 24)};
  }
  // Whole buckets: the first one starts at the UTC hour or day that holds since.
  const std::chrono::microseconds bucket = query.step == HistoryStep::kHour
                                               ? std::chrono::microseconds(std::chrono::hours(1))
                                               : std::chrono::microseconds(std::chrono::days(1));
  query.since = query.step == HistoryStep::kHour
                    ? WallTime(std::chrono::floor<std::chrono::hours>(query.since))
                    : WallTime(std::chrono::floor<std::chrono::days>(query.since));
  const std::int64_t buckets = (now - query.since) / bucket + 1;
  if (buckets > kMaxHistoryBuckets) {
    return BadRequest{
        fmt::format("since: {} buckets, at most {} per request", buckets, kMaxHistoryBuckets)};
  }

  query.table = value_of("table", "");
  if (query.table.size() > kMaxTableNameBytes) {
    return BadRequest{fmt::format("table: longer than {} bytes", kMaxTableNameBytes)};
  }
  return query;
}

}  // namespace hc::serve
