// What of a site URL may be shown. Everything that shows a URL to a person or another system
// shows redact_url(url, params): metric labels, log lines, config errors, the status page, its
// JSON API and history, `hc status`. A token in a query string never reaches a dashboard, a
// log store or a browser. The Kafka key, the message and the table's `uri` keep the exact
// configured URL: they identify the series.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hc {

// The query parameters redacted when the config names none: names that carry credentials
// (OAuth's access_token, client_secret and code, AWS's signed-URL X-Amz-* parts, ...).
std::vector<std::string> default_redacted_query_params();

// `url` with the value of every query parameter whose name is in `params` replaced by
// "REDACTED", and any "user:password@" replaced by "***@". Names are compared as the site's
// server reads them: case-insensitively, after percent-decoding ("%74oken" is "token").
// The fragment and everything else are kept as they are. Pure.
std::string redact_url(std::string_view url, const std::vector<std::string>& params);

// How a database is named in logs and errors: its connection string without the password.
// "postgresql://user:secret@host:5432/db" -> "postgresql://user@host:5432/db";
// "host=h password=secret dbname=d" -> "host=h password=*** dbname=d". Pure.
std::string redact_connection_uri(std::string_view uri);

}  // namespace hc
