// Turns a finished check of a site into the message v1 measurement that is published.
#pragma once

#include <string>

#include "hc/common/message.h"
#include "http_checker.h"
#include "site_plan.h"

namespace hc::producer {

// measured_at: wall time when the check started. The regex is searched only in a complete
// body of a response (regex_match stays empty after a failed connection, a timeout or a
// body over the cap).
Measurement make_measurement(const SitePlan& site, CheckResult&& result, WallTime measured_at,
                             const std::string& producer_id);

}  // namespace hc::producer
