// What of a site URL may be shown: metric labels and log lines carry the URL with the values
// of secret-bearing query parameters replaced, so a token in a query string never reaches a
// dashboard or a log store. (The Kafka key and the message keep the exact configured URL:
// they identify the series.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hc {

// The query parameters redacted when the config names none: names that carry credentials.
std::vector<std::string> default_redacted_query_params();

// `url` with the value of every query parameter whose name is in `params` (compared
// case-insensitively) replaced by "REDACTED", and any "user:password@" replaced by "***@".
// The fragment and everything else are kept as they are. Pure.
std::string redact_url(std::string_view url, const std::vector<std::string>& params);

// How a database is named in logs and errors: its connection string without the password.
// "postgresql://user:secret@host:5432/db" -> "postgresql://user@host:5432/db";
// "host=h password=secret dbname=d" -> "host=h password=*** dbname=d". Pure.
std::string redact_connection_uri(std::string_view uri);

}  // namespace hc
