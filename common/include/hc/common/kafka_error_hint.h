// Kafka client errors that are about the client's own security settings (a refused password,
// an untrusted broker certificate, TLS spoken to a plain listener): which hc setting to look
// at, for the log line and /healthz of every role. librdkafka reports such errors through the
// error callback and then retries forever, so without this the roles would only say "all
// brokers down".
#pragma once

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string>
#include <string_view>

#include "hc/common/mutex.h"

namespace hc {

// The settings to check for a client error, or "" when the error is not about them (a broker
// that is down, a timeout). Pure; thread: any. Rules, first match wins:
//   1. SASL authentication failed (error _AUTHENTICATION, or the reason says so):
//      sasl_username, sasl_password, sasl_mechanism;
//   2. the broker's certificate failed verification: ssl_cafile (and the bootstrap address
//      against the certificate's names);
//   3. any other TLS handshake failure (error _SSL): security_protocol, ssl_cafile,
//      ssl_certfile, ssl_keyfile.
std::string kafka_settings_hint(rd_kafka_resp_err_t error, std::string_view reason);

// The last client error that kafka_settings_hint() explains, as one line for /healthz, until
// the client reaches the cluster again. Thread-safe: librdkafka's callbacks note() and
// clear(), the metrics server's thread reads text().
class KafkaSettingsProblem {
 public:
  // Remembers "kafka: {hint}: {reason}" when the error has a hint. Returns that line, or ""
  // when the error has none (nothing is remembered then).
  std::string note(rd_kafka_resp_err_t error, std::string_view reason);
  void clear();
  std::optional<std::string> text() const;

 private:
  mutable Mutex mutex_;
  std::optional<std::string> text_ GUARDED_BY(mutex_);
};

}  // namespace hc
