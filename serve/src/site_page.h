// A site's page (/sites/{url}): server-rendered HTML with inline CSS and SVG, no script.
// Summary cards (state and since when, uptime 24 h / 7 d / 30 d and of the window, p50 and p95
// of the window, outages and downtime in the window, last check, certificate days left, the
// failed conditions of the last check), the response-time chart (response_chart.h), the
// incident history of the window (newest first), links to the other windows, the badges.
#pragma once

#include <string>

#include "hc/store/site_detail.h"
#include "maintenance.h"
#include "site_request.h"

namespace hc::serve {

// The whole document. Every value that came from the database passes through html_escape;
// the site's URL is a link only when it is http(s); the page links to itself (other windows)
// and to the badges by the site's url_digest, never by its URL.
// `maintenance`: the silences that cover the site now or soon (a section when any).
std::string render_site_page(const SiteDetail& detail, const SiteQuery& query, WallTime now,
                             const std::vector<SilenceNotice>& maintenance = {});

// The page for a site that no configured table has (served with 404).
std::string render_unknown_site_page();

}  // namespace hc::serve
