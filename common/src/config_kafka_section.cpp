// The Kafka connection and security keys of both sections (see kKafkaKeys), and topic names.
#include <unistd.h>

#include "config_names.h"
#include "config_sections.h"

namespace hc::config_detail {
namespace {

constexpr std::array<std::string_view, 4> kProtocols = {"PLAINTEXT", "SSL", "SASL_SSL",
                                                        "SASL_PLAINTEXT"};
constexpr std::array<std::string_view, 3> kMechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

SecurityProtocol protocol_from_name(std::string_view name) {
  if (name == "SSL") return SecurityProtocol::kSsl;
  if (name == "SASL_SSL") return SecurityProtocol::kSaslSsl;
  if (name == "SASL_PLAINTEXT") return SecurityProtocol::kSaslPlaintext;
  return SecurityProtocol::kPlaintext;
}

bool uses_ssl(SecurityProtocol protocol) {
  return protocol == SecurityProtocol::kSsl || protocol == SecurityProtocol::kSaslSsl;
}
bool uses_sasl(SecurityProtocol protocol) {
  return protocol == SecurityProtocol::kSaslSsl || protocol == SecurityProtocol::kSaslPlaintext;
}

// Appends the host:port entries of one scalar, which may itself be a comma-separated
// list ("a:9092,b:9092", as KAFKA_BOOTSTRAP_SERVER often is).
void add_servers(YamlReader& reader, const Located& value, std::vector<std::string>& servers) {
  auto text = reader.string(value);
  if (!text) return;
  std::size_t start = 0;
  while (start <= text->size()) {
    std::size_t comma = text->find(',', start);
    if (comma == std::string::npos) comma = text->size();
    std::string server = text->substr(start, comma - start);
    std::size_t first = server.find_first_not_of(" \t");
    std::size_t last = server.find_last_not_of(" \t");
    server = first == std::string::npos ? "" : server.substr(first, last - first + 1);
    if (!server.empty()) {
      if (is_host_port(server)) {
        servers.push_back(std::move(server));
      } else {
        reader.report(
            value.mark, value.path,
            "expected host:port with a port in 1..65535, got " + quote_for_message(server));
      }
    }
    start = comma + 1;
  }
}

// Reads a certificate/key path; it must name a readable file when it applies.
std::string read_file_path(YamlReader& reader, const Located* value, bool applies,
                           std::string_view protocol_name) {
  if (value == nullptr) return "";
  auto path = reader.string(*value);
  if (!path || path->empty()) return "";  // empty (e.g. "${CA:-}") means: not set
  if (!applies) {
    reader.report(value->mark, value->path,
                  "only applies when security_protocol is SSL or SASL_SSL (it is " +
                      std::string(protocol_name) + ")");
  } else if (::access(path->c_str(), R_OK) != 0) {
    reader.report(value->mark, value->path,
                  "expected a readable file, but " + quote_for_message(*path) +
                      " does not exist or cannot be read");
  }
  return *path;
}

}  // namespace

std::optional<std::string> read_topic_name(YamlReader& reader, const Located& value) {
  auto text = reader.string(value);
  if (!text) return std::nullopt;
  if (!is_kafka_topic_name(*text)) {
    reader.report(value.mark, value.path,
                  "expected a Kafka topic name ([A-Za-z0-9._-], 1 to 249 characters), got " +
                      quote_for_message(*text));
    return std::nullopt;
  }
  return text;
}

KafkaSettings read_kafka_settings(YamlReader& reader, const MapFields& section) {
  KafkaSettings settings;
  if (const Located* value = reader.require(section, "bootstrap_servers",
                                            "a list of host:port, or one comma-separated string")) {
    std::size_t errors_before = reader.error_count();
    if (value->node.is_sequence()) {
      if (auto items = reader.list(*value, "a list of host:port")) {
        for (const Located& item : *items) add_servers(reader, item, settings.bootstrap_servers);
      }
    } else {
      add_servers(reader, *value, settings.bootstrap_servers);
    }
    if (settings.bootstrap_servers.empty() && reader.error_count() == errors_before) {
      reader.report(value->mark, value->path, "expected at least one host:port");
    }
  }

  std::string protocol_name = "PLAINTEXT";
  const Located* protocol_value = section.find("security_protocol");
  if (protocol_value != nullptr) {
    if (auto name = reader.choice(*protocol_value, kProtocols)) protocol_name = *name;
  }
  settings.security_protocol = protocol_from_name(protocol_name);
  // SASL without TLS sends the credentials (PLAIN) and every record in the clear: only when
  // the config says so.
  const Located* allow_plaintext = section.find("allow_plaintext_sasl");
  const bool plaintext_sasl_allowed =
      allow_plaintext != nullptr && reader.boolean(*allow_plaintext).value_or(false);
  if (settings.security_protocol == SecurityProtocol::kSaslPlaintext && !plaintext_sasl_allowed &&
      protocol_value != nullptr) {
    reader.report(protocol_value->mark, protocol_value->path,
                  "SASL_PLAINTEXT sends the SASL credentials and all records unencrypted: use "
                  "SASL_SSL, or set allow_plaintext_sasl: true in this section to accept that");
  } else if (allow_plaintext != nullptr &&
             settings.security_protocol != SecurityProtocol::kSaslPlaintext) {
    reader.report(
        allow_plaintext->mark, allow_plaintext->path,
        "only applies when security_protocol is SASL_PLAINTEXT (it is " + protocol_name + ")");
  }
  bool ssl = uses_ssl(settings.security_protocol);
  bool sasl = uses_sasl(settings.security_protocol);

  settings.ssl_cafile = read_file_path(reader, section.find("ssl_cafile"), ssl, protocol_name);
  const Located* certfile = section.find("ssl_certfile");
  const Located* keyfile = section.find("ssl_keyfile");
  settings.ssl_certfile = read_file_path(reader, certfile, ssl, protocol_name);
  settings.ssl_keyfile = read_file_path(reader, keyfile, ssl, protocol_name);
  if (ssl && settings.ssl_certfile.empty() != settings.ssl_keyfile.empty()) {
    const Located* given = settings.ssl_certfile.empty() ? keyfile : certfile;
    reader.report(given->mark, given->path,
                  "ssl_certfile and ssl_keyfile go together (mutual TLS): set both or neither");
  }

  const Located* mechanism = section.find("sasl_mechanism");
  const Located* username = section.find("sasl_username");
  const Located* password = section.find("sasl_password");
  for (const Located* value : {mechanism, username, password}) {
    if (value != nullptr && !sasl) {
      reader.report(value->mark, value->path,
                    "only applies when security_protocol is SASL_SSL or SASL_PLAINTEXT (it is " +
                        protocol_name + ")");
    }
  }
  if (!sasl) return settings;
  if (mechanism != nullptr) {
    if (auto name = reader.choice(*mechanism, kMechanisms)) settings.sasl_mechanism = *name;
  }
  // Unset and empty are the same mistake; a value that failed to read is already reported.
  auto read_required = [&](const Located* value, std::string& out) {
    if (value == nullptr) return false;
    auto text = reader.string(*value);
    out = text.value_or("");
    return !text || !text->empty();
  };
  bool has_username = read_required(username, settings.sasl_username);
  bool has_password = read_required(password, settings.sasl_password);
  if (!has_username || !has_password) {
    const YAML::Mark& where = protocol_value != nullptr ? protocol_value->mark : section.map().mark;
    std::string where_path = protocol_value != nullptr
                                 ? protocol_value->path
                                 : child_path(section.map().path, "security_protocol");
    reader.report(where, where_path,
                  protocol_name + " requires a non-empty sasl_username and sasl_password");
  }
  return settings;
}

}  // namespace hc::config_detail
