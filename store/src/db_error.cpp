#include "hc/store/db_error.h"

#include <pqxx/except>

namespace hc {

std::string_view to_string(DbErrorClass error_class) {
  switch (error_class) {
    case DbErrorClass::kOutage:
      return "outage";
    case DbErrorClass::kBusy:
      return "busy";
    case DbErrorClass::kRowData:
      return "row_data";
    case DbErrorClass::kDefinition:
      return "definition";
  }
  return "outage";
}

DbErrorClass classify_sqlstate(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return DbErrorClass::kOutage;
  // Exact codes first: they refine their class.
  if (sqlstate == "57014" || sqlstate == "55P03") return DbErrorClass::kBusy;
  const std::string_view error_class = sqlstate.substr(0, 2);
  if (error_class == "22" || error_class == "23" || error_class == "44" || sqlstate == "P0001") {
    return DbErrorClass::kRowData;
  }
  if (error_class == "42" || error_class == "0A" || error_class == "28" || error_class == "3D" ||
      error_class == "3F" || error_class == "2F" || error_class == "38" || error_class == "39" ||
      error_class == "25" || error_class == "26" || error_class == "34") {
    return DbErrorClass::kDefinition;
  }
  // 08 connection, 53 resources, 57 operator intervention (57P01 admin shutdown ...),
  // 58 system I/O, 40 rollback (40001 serialization, 40P01 deadlock), XX internal, and
  // whatever Postgres adds later: wait and retry.
  return DbErrorClass::kOutage;
}

DbError::DbError(DbErrorClass error_class, std::string sqlstate, std::string postgres_message,
                 const std::string& context)
    : std::runtime_error(context.empty() ? postgres_message : context + ": " + postgres_message),
      class_(error_class),
      sqlstate_(std::move(sqlstate)),
      postgres_message_(std::move(postgres_message)) {}

ClassifiedError classify_exception(const std::exception& error) {
  if (const auto* db_error = dynamic_cast<const DbError*>(&error)) {
    return {db_error->error_class(), db_error->sqlstate(), db_error->postgres_message()};
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    return {classify_sqlstate(sql->sqlstate()), sql->sqlstate(), one_line(sql->what())};
  }
  // broken_connection (and too_many_connections), in_doubt_error, transaction_rollback
  // (serialization_failure, deadlock_detected, statement_completion_unknown) carry no
  // SQLSTATE in libpqxx 6.4; each means "try again later". So does anything unknown.
  return {DbErrorClass::kOutage, "", one_line(error.what())};
}

std::string one_line(std::string_view message) {
  std::string line;
  line.reserve(message.size());
  bool pending_space = false;
  for (const char c : message) {
    if (c == '\n' || c == '\r' || c == '\t') {
      pending_space = !line.empty();
      continue;
    }
    if (pending_space && c != ' ') line += ' ';
    pending_space = false;
    line += c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace hc
