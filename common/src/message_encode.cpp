// Message v1 encoder. Written directly into one string rather than through a
// nlohmann::json DOM: the producer encodes one message per check, and building the DOM
// (a std::map per object, a node per field) cost a third of its CPU per check.
#include "hc/common/message.h"
#include "json_writer.h"

namespace hc {

using json_detail::JsonWriter;

std::string encode_message(const Measurement& m) {
  constexpr std::size_t kFixedBytes = 400;  // names, numbers, digest and timestamps
  JsonWriter json(kFixedBytes + m.url.size() + m.error_detail.size() +
                  (m.regex ? m.regex->size() : 0) + m.producer.size());
  json.field("v", std::int64_t{kMessageVersion});
  json.field("url", m.url);
  json.field("url_digest", m.url_digest);
  json.field("measured_at", format_timestamp(m.measured_at));
  json.field("status_code", m.status_code);
  json.field("response_time_us", m.response_time_us);
  json.open_object("timings_us");
  json.field("dns", m.timings.dns_us);
  json.field("connect", m.timings.connect_us);
  json.field("tls", m.timings.tls_us);
  json.field("ttfb", m.timings.ttfb_us);
  json.close_object();
  json.field("error", m.error);
  json.field("error_detail", m.error_detail);
  json.field("regex", m.regex);
  json.field("regex_match", m.regex_match);
  json.field("healthy", m.healthy);
  json.field("failed_conditions", m.failed_conditions);
  json.field("body_bytes", m.body_bytes);
  json.field("body_truncated", m.body_truncated);
  json.field("attempts", m.attempts);
  json.field("cert_expires_at",
             m.cert_expires_at ? std::optional<std::string>(format_timestamp(*m.cert_expires_at))
                               : std::nullopt);
  json.field("producer", m.producer);
  if (m.loop_lag_us) json.field("loop_lag_us", *m.loop_lag_us);
  // Each check-type field only when present, so an http message is what it always was; each
  // on its own (not under check_type), because the decoder takes each on its own.
  if (m.check_type) json.field("check_type", *m.check_type);
  if (m.tls_version) json.field("tls_version", *m.tls_version);
  if (m.tls_cipher) json.field("tls_cipher", *m.tls_cipher);
  if (m.chain_valid) json.field("chain_valid", *m.chain_valid);
  if (m.chain_expires_at) json.field("chain_expires_at", format_timestamp(*m.chain_expires_at));
  if (m.dns_rcode) json.field("dns_rcode", *m.dns_rcode);
  if (!m.dns_answers.empty()) json.field("dns_answers", m.dns_answers);
  if (m.address) json.field("address", *m.address);
  if (m.rtt_min_us) json.field("rtt_min_us", *m.rtt_min_us);
  if (m.rtt_avg_us) json.field("rtt_avg_us", *m.rtt_avg_us);
  if (m.rtt_max_us) json.field("rtt_max_us", *m.rtt_max_us);
  if (m.loss_percent) json.field("loss_percent", std::int64_t{*m.loss_percent});
  return std::move(json).finish();
}

}  // namespace hc
