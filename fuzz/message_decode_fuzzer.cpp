// Fuzzes the message v1 decoder (hc::MessageDecoder, and decode_record on top of it).
//
// Invariants, for any bytes:
//   - decoding never crashes or throws: a value is a Measurement or a Poison with a reason;
//   - an accepted Measurement is one PostgreSQL can store: no NUL in any text, valid UTF-8,
//     timestamps in years 1..9999, no negative durations or sizes, status_code 0..999,
//     attempts 1..100, at most 64 failed_conditions (and dns_answers) of at most 256 bytes
//     each, loss_percent 0..100 (a smallint), round trips not negative;
//   - encoding an accepted Measurement and decoding that gives the same Measurement, every
//     field compared (the verdict fields healthy, failed_conditions, body_truncated and
//     attempts included);
//   - decode_record keyed by the decoded url accepts it too (its digest permitting).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "hc/common/message.h"
#include "hc/common/url_digest.h"
#include "hc/consumer/record_decoder.h"
#include "storable.h"

namespace {

using fuzz::storable_text;
using fuzz::storable_time;

bool non_negative(const std::optional<std::int64_t>& value) { return !value || *value >= 0; }

void check_storable(const hc::Measurement& m) {
  FUZZ_CHECK(storable_text(m.url), "url");
  FUZZ_CHECK(storable_text(m.url_digest) && m.url_digest.size() == 64, "url_digest");
  FUZZ_CHECK(storable_text(m.error_detail), "error_detail");
  FUZZ_CHECK(storable_text(m.producer), "producer");
  FUZZ_CHECK(!m.error || storable_text(*m.error), "error");
  FUZZ_CHECK(!m.regex || storable_text(*m.regex), "regex");
  FUZZ_CHECK(storable_time(m.measured_at), "measured_at");
  FUZZ_CHECK(!m.cert_expires_at || storable_time(*m.cert_expires_at), "cert_expires_at");
  FUZZ_CHECK(!m.status_code || (*m.status_code >= 0 && *m.status_code <= 999), "status_code");
  FUZZ_CHECK(m.response_time_us >= 0 && m.body_bytes >= 0, "response_time_us / body_bytes");
  FUZZ_CHECK(!m.attempts || (*m.attempts >= 1 && *m.attempts <= 100), "attempts");
  FUZZ_CHECK(m.failed_conditions.size() <= 64, "failed_conditions count");
  for (const auto& condition : m.failed_conditions) {
    FUZZ_CHECK(storable_text(condition) && condition.size() <= 256, "failed_conditions element");
  }
  FUZZ_CHECK(!m.check_type || storable_text(*m.check_type), "check_type");
  FUZZ_CHECK(!m.tls_version || storable_text(*m.tls_version), "tls_version");
  FUZZ_CHECK(!m.tls_cipher || storable_text(*m.tls_cipher), "tls_cipher");
  FUZZ_CHECK(!m.chain_expires_at || storable_time(*m.chain_expires_at), "chain_expires_at");
  FUZZ_CHECK(!m.dns_rcode || storable_text(*m.dns_rcode), "dns_rcode");
  FUZZ_CHECK(!m.address || storable_text(*m.address), "address");
  FUZZ_CHECK(m.dns_answers.size() <= 64, "dns_answers count");
  for (const auto& answer : m.dns_answers) {
    FUZZ_CHECK(storable_text(answer) && answer.size() <= 256, "dns_answers element");
  }
  FUZZ_CHECK(!m.loss_percent || (*m.loss_percent >= 0 && *m.loss_percent <= 100), "loss_percent");
  FUZZ_CHECK(non_negative(m.rtt_min_us) && non_negative(m.rtt_avg_us) && non_negative(m.rtt_max_us),
             "rtt_*_us");
  FUZZ_CHECK(non_negative(m.timings.dns_us) && non_negative(m.timings.connect_us) &&
                 non_negative(m.timings.tls_us) && non_negative(m.timings.ttfb_us),
             "timings_us");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static hc::MessageDecoder decoder;  // reused, as the consumer's decode threads do
  static hc::UrlDigester digester;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = decoder.decode(bytes);
  if (const auto* poison = std::get_if<hc::Poison>(&decoded)) {
    FUZZ_CHECK(!poison->reason.empty() && !poison->detail.empty(), "poison without a reason");
    return 0;
  }
  const auto& measurement = std::get<hc::Measurement>(decoded);
  check_storable(measurement);

  const std::string encoded = hc::encode_message(measurement);
  auto again = decoder.decode(encoded);
  FUZZ_CHECK(std::holds_alternative<hc::Measurement>(again), "re-encoded message refused");
  FUZZ_CHECK(std::get<hc::Measurement>(again) == measurement, "round trip changed a field");

  auto record = hc::consumer::decode_record(
      decoder, digester, {measurement.url.data(), measurement.url.size(), data, size}, size);
  const bool digest_matches = measurement.url_digest == hc::url_digest(measurement.url);
  FUZZ_CHECK(std::holds_alternative<hc::Measurement>(record) == digest_matches,
             "decode_record disagrees with decode");
  return 0;
}
