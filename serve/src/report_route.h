// GET /api/v1/report?month=YYYY-MM[&format=json|csv]: the SLA report of a calendar month
// (month_report.h), JSON by default; CSV as an attachment named hc-report-YYYY-MM.csv.
// BadRequest (400) for a missing, malformed or repeated month, an unknown format or parameter.
#pragma once

#include "hc/common/clock.h"
#include "hc/common/http_routes.h"
#include "hc/serve/status_source.h"

namespace hc::serve {

// `source` and `clock` must outlive the routes' server.
void add_report_route(http::Routes& routes, StatusSource& source, const Clock& clock);

}  // namespace hc::serve
