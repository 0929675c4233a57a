// The status page: server-rendered HTML with inline CSS and SVG, no script. One page of the
// overview's sites grouped by table, one row each: state, last check, uptime 24 h / 7 d / 30 d,
// p95, last error, certificate days left, and the 90-day uptime bar. The summary counts every
// site; "sites X–Y of T" and Previous/Next links (plain links, absent at the ends) page through.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hc/store/status.h"
#include "maintenance.h"

namespace hc::serve {

// The whole document. Every value that came from the database passes through html_escape;
// a site URL is a link only when it is http(s); its history link names it by url_digest.
// `overview.sites` sorted by table (as read_status_overview returns them); a table's header says "N
// sites on this page" unless the page is known to hold all of that table's sites. No sites at all:
// "No measurements yet"; a page past the end: says so and links to the first page. `now` is the
// time the page is rendered for. A site that `maintenance` (if set) gives notices for is marked
// with its current (else next) maintenance (maintenance.h).
std::string render_status_page(const Overview& overview, WallTime now,
                               const MaintenanceLookup& maintenance = {});

// "12 s ago", "5 min ago", "3 h ago", "2 d ago" ("just now" under a second or in the future).
std::string age_text(WallTime then, WallTime now);

// The path of a site's history endpoint: /api/v1/sites/{site percent-encoded}/history, `site`
// a URL or a url_digest (the page links by digest, so no link carries a URL's secrets).
std::string history_path(std::string_view site);

}  // namespace hc::serve
