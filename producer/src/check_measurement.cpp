#include "check_measurement.h"

namespace hc::producer {

Measurement make_measurement(const SitePlan& site, CheckResult&& result, Verdict&& verdict,
                             WallTime measured_at, const std::string& producer_id) {
  Measurement measurement;
  measurement.url = site.config.url;
  measurement.url_digest = site.url_digest.str();
  measurement.measured_at = measured_at;
  measurement.status_code = result.status_code;
  measurement.response_time_us = result.response_time_us;
  measurement.timings = result.timings;
  if (verdict.error) measurement.error = std::string(to_string(*verdict.error));
  measurement.error_detail = std::move(verdict.error_detail);
  if (site.config.pattern) measurement.regex = site.config.pattern->str();
  measurement.regex_match = verdict.regex_match;
  measurement.healthy = verdict.healthy;
  measurement.failed_conditions = std::move(verdict.failed_conditions);
  measurement.body_bytes = result.body_bytes;
  measurement.body_truncated = result.body_truncated;
  measurement.cert_expires_at = result.cert_expires_at;
  measurement.producer = producer_id;
  measurement.address = std::move(result.address);
  if (site.config.check_type != CheckType::kHttp) {
    measurement.check_type = std::string(to_string(site.config.check_type));
    measurement.tls_version = std::move(result.tls_version);
    measurement.tls_cipher = std::move(result.tls_cipher);
    measurement.chain_valid = result.chain_valid;
    measurement.chain_expires_at = result.chain_expires_at;
    measurement.dns_rcode = std::move(result.dns_rcode);
    measurement.dns_answers = std::move(result.dns_answers);
    measurement.rtt_min_us = result.rtt_min_us;
    measurement.rtt_avg_us = result.rtt_avg_us;
    measurement.rtt_max_us = result.rtt_max_us;
    measurement.loss_percent = result.loss_percent;
  }
  return measurement;
}

}  // namespace hc::producer
