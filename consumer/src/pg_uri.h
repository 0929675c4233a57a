// How a database is named in logs and errors: its connection URI without the password.
#pragma once

#include <string>
#include <string_view>

namespace hc::consumer {

// "postgresql://user:secret@host:5432/db" -> "postgresql://user@host:5432/db";
// "host=h password=secret dbname=d" -> "host=h password=*** dbname=d".
std::string redact_connection_uri(std::string_view uri);

}  // namespace hc::consumer
