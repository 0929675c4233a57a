// The JSON API's bodies (compact, one line). Strings from the database are written as JSON strings
// (nlohmann escapes quotes, backslashes and controls); invalid UTF-8 becomes U+FFFD.
#pragma once

#include <string>

#include "hc/serve/status_source.h"
#include "hc/store/status.h"
#include "maintenance.h"

namespace hc::serve {

// /api/v1/status: one page of the overview; the counts are of all sites.
// {"generated_at": RFC 3339, "total_sites", "up_sites", "down_sites", "offset", "limit",
//  "next": "/api/v1/status?offset=N&limit=L" (the next page) | null (no sites after this page),
//  "sites": [{"table", "url", "state": "up"|"down"|"unknown", "state_since": RFC 3339|null,
//   "state_source": "events" (the newest state-change event) | "measurement" (the newest
//   measurement: no events table beside the site's table, or no event for the site yet),
//   "last_checked_at", "last_status_code"|null, "last_error"|null, "last_failed_conditions": [],
//   "cert_days_left"|null, "p95_response_us_24h"|null,
//   "uptime": {"24h"|"7d"|"30d": {"checks", "up_checks", "uptime_percent"|null}},
//   "days": [{"day": "YYYY-MM-DD", "checks", "up_checks", "uptime_percent"}]}]}
std::string render_overview_json(const Overview& overview, WallTime now,
                                 const MaintenanceLookup& maintenance = {});

// /api/v1/sites/{url}/history:
// {"table", "url", "step": "hour"|"day", "since": RFC 3339 (the first bucket's start),
//  "buckets": [{"start", "checks", "up_checks", "uptime_percent", "p95_response_us"|null}]}
std::string render_history_json(const SiteHistory& history, const HistoryQuery& query);

}  // namespace hc::serve
