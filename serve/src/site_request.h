// Parsing and bounding /sites/{url} requests (a site's page): everything a client can send is
// checked here, before any query runs. Pure functions.
#pragma once

#include <string>
#include <variant>

#include "bad_request.h"
#include "hc/store/site_detail.h"

namespace hc::serve {

inline constexpr std::string_view kSitePagePrefix = "/sites/";

struct SiteQuery {
  std::string site;   // a URL or a url_digest, decoded (history_request.h's decode_site)
  SiteWindow window;  // from at its bucket's start
  std::string since;  // "24h", "7d", "30d", "90d"; empty for a from/to window
};

// The window: since=24h|7d|30d|90d (back from `now`; default 7d), or from=T[&to=T] with RFC 3339
// UTC times (to defaults to `now`; a `to` past `now` is `now`). At most kMaxHistorySpan.
// Buckets are hours for a window of up to 7 days, else UTC days; from moves back to the start
// of its bucket. BadRequest for an unknown or repeated parameter, since with from/to, another
// since, a malformed time, to without from, from not before to, or a longer window.
std::variant<SiteQuery, BadRequest> parse_site_query(std::string site, const QueryParams& params,
                                                     WallTime now);

}  // namespace hc::serve
