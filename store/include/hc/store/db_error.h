// The one place that sorts database errors into what the consumer does about them.
//
// Classified where they are caught (PgSink), carried as DbError to the batch writer and
// the loop:
//   outage      the database is away or out of resources (SQLSTATE classes 08, 53, 57P, 58,
//               XX, serialization 40001 / deadlock 40P01, a lost connection or a commit
//               whose outcome is unknown): pause, retry with backoff, resume.
//   busy        the database answered but gave up on us: statement_timeout (57014) or
//               lock_timeout (55P03). Retried like an outage, reported as "busy".
//   row_data    these rows are bad (classes 22 and 23, a trigger's RAISE P0001, 44):
//               retrying the same rows fails forever. The writer finds them by bisecting
//               the batch, dead-letters them (reason db_rejected) and writes the rest.
//   definition  the table or the session is wrong, whatever the rows (42 e.g. a column
//               dropped or a table missing, 0A, 28 authentication, 3D database missing,
//               2F/38/39 functions, 25 transaction state): nothing is written, nothing
//               committed past unwritten rows, /healthz says why; retried with backoff so
//               it recovers when an operator fixes the table.
// Any SQLSTATE not listed counts as an outage: waiting never loses data.
//
// Pure functions; thread-safe.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hc {

enum class DbErrorClass { kOutage, kBusy, kRowData, kDefinition };

// "outage", "busy", "row_data", "definition": the metric label and log word.
std::string_view to_string(DbErrorClass error_class);

// REQUIRES: nothing; an empty or malformed SQLSTATE is an outage (a lost connection has none).
DbErrorClass classify_sqlstate(std::string_view sqlstate);

// A database error with its class. what() is one line: "<context>: <Postgres' message>",
// passwords removed by the thrower.
class DbError : public std::runtime_error {
 public:
  DbError(DbErrorClass error_class, std::string sqlstate, std::string postgres_message,
          const std::string& context);

  DbErrorClass error_class() const { return class_; }
  const std::string& sqlstate() const { return sqlstate_; }  // "" when none
  // Postgres' (or libpq's) own message, one line, without our context.
  const std::string& postgres_message() const { return postgres_message_; }

 private:
  DbErrorClass class_;
  std::string sqlstate_;
  std::string postgres_message_;
};

// Sorts an exception thrown by libpqxx (or anything else) while talking to the database:
// pqxx::sql_error by its SQLSTATE; pqxx::broken_connection, in_doubt_error and
// transaction_rollback (no SQLSTATE in libpqxx 6.4) as outages; anything else as an outage.
// `message` is the error's text made one line (libpq's span lines).
struct ClassifiedError {
  DbErrorClass error_class;
  std::string sqlstate;
  std::string message;
};
ClassifiedError classify_exception(const std::exception& error);

// libpq's messages span lines ("...: Connection refused\n\tIs the server running...?\n");
// log lines, headers and /healthz reasons are one line each.
std::string one_line(std::string_view message);

}  // namespace hc
