// Kafka connection and security settings, shared by every section of the config.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hc {

enum class SecurityProtocol { kPlaintext, kSsl, kSaslPlaintext, kSaslSsl };

// Connection and security settings of every role.
struct KafkaSettings {
  std::vector<std::string> bootstrap_servers;
  SecurityProtocol security_protocol = SecurityProtocol::kPlaintext;
  std::string ssl_cafile;                // PEM CA bundle; empty = system default
  std::string ssl_certfile;              // client certificate (mutual TLS); empty = none
  std::string ssl_keyfile;               // client key (mutual TLS); empty = none
  std::string sasl_mechanism = "PLAIN";  // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
  std::string sasl_username;
  std::string sasl_password;  // secret: never logged

  // The librdkafka properties these settings stand for ("bootstrap.servers",
  // "security.protocol", "ssl.ca.location", "sasl.mechanisms", ...), in a stable order.
  // Includes the password: callers must not log the values.
  std::vector<std::pair<std::string, std::string>> librdkafka_properties() const;
};

}  // namespace hc
