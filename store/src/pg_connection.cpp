#include "hc/store/pg_connection.h"

#include <libpq-fe.h>

#include <map>
#include <pqxx/nontransaction>
#include <stdexcept>

#include "hc/common/url_redaction.h"

namespace hc {
namespace {

struct ConninfoOptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoOptions = std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter>;

// A conninfo value in single quotes, with \ and ' escaped as libpq expects.
std::string quote_value(std::string_view value) {
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') quoted += '\\';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

// Every byte outside RFC 3986's unreserved set as %XX, in `hex` digits.
std::string percent_encoded(std::string_view text, const char* hex) {
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 0xf];
    }
  }
  return encoded;
}

}  // namespace

ConnectionTarget connection_target(std::string_view connection_string,
                                   const SessionSettings& session) {
  const std::string text(connection_string);
  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(text.c_str(), &error));
  if (!options) {
    // libpq's message quotes the offending token, which may be part of the password.
    PQfreemem(error);
    throw std::invalid_argument(
        "libpq cannot parse the connection string; a password with % / @ must be "
        "percent-encoded in a URI, or given as password='...' in key=value form");
  }
  std::map<std::string, std::string> values;
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val != nullptr) values[option->keyword] = option->val;
  }
  ConnectionTarget target;
  target.name = redact_connection_uri(connection_string);
  target.session = session;
  for (const char* secret_key : {"password", "sslpassword"}) {
    auto found = values.find(secret_key);
    if (found == values.end() || found->second.empty()) continue;
    target.secrets.push_back(found->second);
    for (const char* hex : {"0123456789ABCDEF", "0123456789abcdef"}) {
      std::string encoded = percent_encoded(found->second, hex);
      if (encoded != found->second) target.secrets.push_back(std::move(encoded));
    }
  }
  // COPY text and our parameters are UTF-8, whatever the server or the URI says.
  values["client_encoding"] = "UTF8";
  // The URI's own setting wins: it is the per-database knob; the config is the default.
  values.try_emplace("connect_timeout", std::to_string(session.connect_timeout.count()));
  values.try_emplace("keepalives", "1");
  values.try_emplace("keepalives_idle", std::to_string(session.keepalives_idle.count()));
  values.try_emplace("keepalives_interval", std::to_string(session.keepalives_interval.count()));
  values.try_emplace("keepalives_count", std::to_string(session.keepalives_count));
  for (const auto& [keyword, value] : values) {
    if (!target.conninfo.empty()) target.conninfo += ' ';
    target.conninfo += keyword + '=' + quote_value(value);
  }
  return target;
}

std::string scrub_secrets(std::string text, const ConnectionTarget& target) {
  for (const std::string& secret : target.secrets) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::unique_ptr<pqxx::connection> open_connection(const ConnectionTarget& target) {
  auto connection = std::make_unique<pqxx::connection>(target.conninfo);
  pqxx::nontransaction setup(*connection);
  setup.exec0("SET statement_timeout = " +
              std::to_string(target.session.statement_timeout.count()));
  setup.exec0("SET lock_timeout = " + std::to_string(target.session.lock_timeout.count()));
  setup.commit();
  return connection;
}

}  // namespace hc
