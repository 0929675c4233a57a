// Parsing and bounding /api/v1/sites/{url}/history requests: everything a client can send
// is checked here, before any query runs. Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "bad_request.h"
#include "hc/serve/status_source.h"

namespace hc::serve {

// The span one request may cover, and its buckets (400 days is 9,600 hourly buckets).
inline constexpr std::chrono::hours kMaxHistorySpan{400 * 24};
inline constexpr std::int64_t kMaxHistoryBuckets = 10000;
// Longest site URL accepted in the path (decoded).
inline constexpr std::size_t kMaxSiteUrlBytes = 2048;

inline constexpr std::string_view kSitesPrefix = "/api/v1/sites/";
inline constexpr std::string_view kHistorySuffix = "/history";

// The site of a request target "/api/v1/sites/{url or url_digest}/history[?query]", percent-decoded
// exactly once ('+' stays '+'). BadRequest for a malformed escape, an empty URL, a NUL, or
// more than kMaxSiteUrlBytes.
std::variant<std::string, BadRequest> site_url_from_target(std::string_view target);

// The url_digest (url_digest.h) of the site a history request names: `site` itself when it is
// 64 lowercase hex digits (the status page links sites so, keeping their URLs out of links),
// else the digest of `site` as a URL.
std::string site_digest(std::string_view site);

// since: an RFC 3339 UTC time ("2026-11-01T00:00:00Z") or a duration back from `now` ("90m",
// "24h", "7d"); default 24h. step: "hour" (default) or "day". table: optional table name.
// since is moved back to the start of its bucket (UTC hour or day). BadRequest for an unknown
// or repeated parameter, a malformed value, a since in the future, older than kMaxHistorySpan,
// or more than kMaxHistoryBuckets buckets.
std::variant<HistoryQuery, BadRequest> parse_history_query(std::string url,
                                                           const QueryParams& params, WallTime now);

}  // namespace hc::serve
