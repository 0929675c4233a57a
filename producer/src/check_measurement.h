// Turns a finished check of a site into the message v1 measurement that is published.
#pragma once

#include <string>

#include "check_verdict.h"
#include "hc/common/message.h"
#include "http_checker.h"
#include "site_plan.h"

namespace hc::producer {

// measured_at: wall time when the check started; verdict: evaluate() of this result.
Measurement make_measurement(const SitePlan& site, CheckResult&& result, Verdict&& verdict,
                             WallTime measured_at, const std::string& producer_id);

}  // namespace hc::producer
