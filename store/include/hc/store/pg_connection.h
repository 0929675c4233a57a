// How hc connects to PostgreSQL: the user's connection string plus the session bounds of
// the consumer config, and the secrets that must never leave this process.
//
// Every connection the consumer opens (writers, migrations, `hc status`) goes through
// open_connection(), so each one has client_encoding=UTF8 (COPY text is UTF-8),
// connect_timeout, TCP keepalives, statement_timeout and lock_timeout.
//
// Pure functions, except open_connection (network); thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"

namespace hc {

// What libpq is given for one configured connection string.
struct ConnectionTarget {
  // key='value' pairs: the user's settings (URI or key=value form, parsed by libpq) with
  // client_encoding=UTF8 forced and connect_timeout / keepalives added where the user set
  // none. Holds the password: never log it.
  std::string conninfo;
  std::string name;  // for logs and /healthz: redact_connection_uri of the user's string
  // password and sslpassword as given, and as they might appear percent-encoded.
  std::vector<std::string> secrets;
  SessionSettings session;
};

// Throws std::invalid_argument (a message that quotes nothing of `connection_string`) if
// libpq cannot parse it.
ConnectionTarget connection_target(std::string_view connection_string,
                                   const SessionSettings& session);

// `text` with every secret of `target` replaced by "***": for any message that may
// carry libpq's or Postgres' words (which can echo a misparsed host or option).
std::string scrub_secrets(std::string text, const ConnectionTarget& target);

// Connects and sets statement_timeout and lock_timeout for the session (with SET, which
// connection poolers accept, unlike the startup "options" parameter). Throws what
// libpqxx throws; callers classify it (db_error.h) and scrub its text.
std::unique_ptr<pqxx::connection> open_connection(const ConnectionTarget& target);

}  // namespace hc
