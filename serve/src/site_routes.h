// The routes of a site's own pages, added to the status server's (status_server.cpp):
//
//   GET /sites/{url or url_digest}?since=24h|7d|30d|90d | ?from=&to=   the site page (HTML)
//   GET /badges/{url or url_digest}/status.svg                          shields-style badges
//   GET /badges/{url or url_digest}/uptime/{24h|7d|30d}.svg
//   GET /badges/{url or url_digest}/response-time/{24h|7d}.svg
//
// The URL in the path is percent-encoded (decoded once); the pages link by url_digest, which
// keeps a URL's secrets (url_redaction.h) out of links. A site that no table has: the page is a
// 404, a badge is a grey "unknown" (200: an embedded image should not break). A badge may be
// cached for kBadgeMaxAgeSeconds (Cache-Control), the page is not.
#pragma once

#include "hc/common/clock.h"
#include "hc/common/http_routes.h"
#include "hc/common/silence_book.h"
#include "hc/serve/status_source.h"

namespace hc::serve {

inline constexpr int kBadgeMaxAgeSeconds = 60;

// `source` and `clock` must outlive the routes' server.
// `silences` (null: none known) gives the maintenance shown on a site's page.
void add_site_routes(http::Routes& routes, StatusSource& source, const Clock& clock,
                     const SilenceBook* silences);

}  // namespace hc::serve
