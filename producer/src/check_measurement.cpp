#include "check_measurement.h"

namespace hc::producer {

Measurement make_measurement(const SitePlan& site, CheckResult&& result, WallTime measured_at,
                             const std::string& producer_id) {
  Measurement measurement;
  measurement.url = site.config.url;
  measurement.url_digest = site.url_digest;
  measurement.measured_at = measured_at;
  measurement.status_code = result.status_code;
  measurement.response_time_us = result.response_time_us;
  measurement.timings = result.timings;
  if (result.error) measurement.error = std::string(to_string(*result.error));
  measurement.error_detail = std::move(result.error_detail);
  measurement.regex = site.config.regex;
  const bool complete_body =
      result.status_code.has_value() && result.error != CheckError::kBodyTooLarge &&
      result.error != CheckError::kTimeout && result.error != CheckError::kConnect;
  if (site.regex && complete_body) measurement.regex_match = site.regex->search(result.body);
  measurement.body_bytes = result.body_bytes;
  measurement.cert_expires_at = result.cert_expires_at;
  measurement.producer = producer_id;
  return measurement;
}

}  // namespace hc::producer
