#include "hc/common/kafka_error_hint.h"

namespace hc {

std::string kafka_settings_hint(rd_kafka_resp_err_t error, std::string_view reason) {
  if (error == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
      reason.find("SASL authentication error") != std::string_view::npos) {
    return "the broker refused the SASL credentials: check sasl_username, sasl_password and "
           "sasl_mechanism";
  }
  if (reason.find("certificate verify failed") != std::string_view::npos) {
    return "the broker's TLS certificate is not trusted: check ssl_cafile (the CA that signed "
           "it) and that bootstrap_servers names a host the certificate is for";
  }
  if (error == RD_KAFKA_RESP_ERR__SSL ||
      reason.find("SSL handshake failed") != std::string_view::npos) {
    return "the TLS handshake with the broker failed: check security_protocol (the listener "
           "may not speak TLS), ssl_cafile, ssl_certfile and ssl_keyfile";
  }
  return "";
}

std::string KafkaSettingsProblem::note(rd_kafka_resp_err_t error, std::string_view reason) {
  const std::string hint = kafka_settings_hint(error, reason);
  if (hint.empty()) return "";
  std::string line = "kafka: " + hint + ": " + std::string(reason);
  MutexLock lock(mutex_);
  text_ = line;
  return line;
}

void KafkaSettingsProblem::clear() {
  MutexLock lock(mutex_);
  text_.reset();
}

std::optional<std::string> KafkaSettingsProblem::text() const {
  MutexLock lock(mutex_);
  return text_;
}

}  // namespace hc
