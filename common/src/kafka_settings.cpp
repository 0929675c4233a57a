// KafkaSettings -> librdkafka configuration properties.
#include <string_view>

#include "hc/common/config.h"

namespace hc {
namespace {

std::string_view protocol_property(SecurityProtocol protocol) {
  switch (protocol) {
    case SecurityProtocol::kSsl:
      return "ssl";
    case SecurityProtocol::kSaslSsl:
      return "sasl_ssl";
    case SecurityProtocol::kSaslPlaintext:
      return "sasl_plaintext";
    case SecurityProtocol::kPlaintext:
      break;
  }
  return "plaintext";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> KafkaSettings::librdkafka_properties() const {
  std::vector<std::pair<std::string, std::string>> properties;
  std::string servers;
  for (const std::string& server : bootstrap_servers) {
    if (!servers.empty()) servers += ',';
    servers += server;
  }
  properties.emplace_back("bootstrap.servers", servers);
  properties.emplace_back("security.protocol", std::string(protocol_property(security_protocol)));
  bool ssl = security_protocol == SecurityProtocol::kSsl ||
             security_protocol == SecurityProtocol::kSaslSsl;
  bool sasl = security_protocol == SecurityProtocol::kSaslSsl ||
              security_protocol == SecurityProtocol::kSaslPlaintext;
  if (ssl) {
    // Empty means librdkafka's defaults (the system CA store, no client certificate).
    if (!ssl_cafile.empty()) properties.emplace_back("ssl.ca.location", ssl_cafile);
    if (!ssl_certfile.empty()) properties.emplace_back("ssl.certificate.location", ssl_certfile);
    if (!ssl_keyfile.empty()) properties.emplace_back("ssl.key.location", ssl_keyfile);
  }
  if (sasl) {
    properties.emplace_back("sasl.mechanisms", sasl_mechanism);
    properties.emplace_back("sasl.username", sasl_username);
    properties.emplace_back("sasl.password", sasl_password);
  }
  return properties;
}

}  // namespace hc
