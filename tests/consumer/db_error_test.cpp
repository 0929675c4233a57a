// The error classes: what the consumer does for each SQLSTATE and each libpqxx exception.
#include "db_error.h"

#include <gtest/gtest.h>

#include <pqxx/except>
#include <string>
#include <vector>

namespace hc::consumer {
namespace {

struct Case {
  const char* sqlstate;
  DbErrorClass expected;
  const char* what;
};

TEST(DbErrorClass, EverySqlstateFallsInTheClassOfWhatTheConsumerDoes) {
  const std::vector<Case> cases = {
      {"08006", DbErrorClass::outage, "connection failure"},
      {"08001", DbErrorClass::outage, "cannot connect"},
      {"53100", DbErrorClass::outage, "disk full"},
      {"53300", DbErrorClass::outage, "too many connections"},
      {"57P01", DbErrorClass::outage, "admin shutdown"},
      {"57P03", DbErrorClass::outage, "cannot connect now (starting up)"},
      {"58030", DbErrorClass::outage, "I/O error"},
      {"40001", DbErrorClass::outage, "serialization failure"},
      {"40P01", DbErrorClass::outage, "deadlock"},
      {"XX000", DbErrorClass::outage, "internal error"},
      {"57014", DbErrorClass::busy, "statement_timeout"},
      {"55P03", DbErrorClass::busy, "lock_timeout"},
      {"22021", DbErrorClass::row_data, "NUL byte in text"},
      {"22008", DbErrorClass::row_data, "datetime overflow"},
      {"22003", DbErrorClass::row_data, "numeric out of range"},
      {"22001", DbErrorClass::row_data, "string too long for a varchar set by hand"},
      {"22P02", DbErrorClass::row_data, "invalid text representation"},
      {"23514", DbErrorClass::row_data, "check constraint"},
      {"23502", DbErrorClass::row_data, "not null"},
      {"23505", DbErrorClass::row_data, "unique index added by hand"},
      {"P0001", DbErrorClass::row_data, "a trigger's RAISE EXCEPTION"},
      {"42703", DbErrorClass::definition, "column dropped by hand"},
      {"42P01", DbErrorClass::definition, "table dropped"},
      {"42804", DbErrorClass::definition, "column type changed"},
      {"42501", DbErrorClass::definition, "permission revoked"},
      {"28P01", DbErrorClass::definition, "password refused"},
      {"3D000", DbErrorClass::definition, "database missing"},
      {"0A000", DbErrorClass::definition, "feature not supported"},
      {"25P02", DbErrorClass::definition, "transaction aborted"},
      {"", DbErrorClass::outage, "no SQLSTATE: lost connection"},
      {"2", DbErrorClass::outage, "malformed"},
      {"ZZ999", DbErrorClass::outage, "unknown class: wait rather than lose rows"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classify_sqlstate(c.sqlstate), c.expected)
        << c.sqlstate << " (" << c.what << ") is " << to_string(classify_sqlstate(c.sqlstate));
  }
}

TEST(DbErrorClass, LibpqxxExceptionsWithoutSqlstateAreOutages) {
  EXPECT_EQ(classify_exception(pqxx::broken_connection("server closed the connection")).error_class,
            DbErrorClass::outage);
  EXPECT_EQ(classify_exception(pqxx::in_doubt_error("commit outcome unknown")).error_class,
            DbErrorClass::outage);
  EXPECT_EQ(classify_exception(pqxx::serialization_failure("could not serialize")).error_class,
            DbErrorClass::outage);
  EXPECT_EQ(classify_exception(pqxx::deadlock_detected("deadlock")).error_class,
            DbErrorClass::outage);
  EXPECT_EQ(classify_exception(std::runtime_error("anything else")).error_class,
            DbErrorClass::outage);
}

TEST(DbErrorClass, SqlErrorsAreSortedByTheirSqlstateAndKeepTheirMessageOnOneLine) {
  auto classified = classify_exception(pqxx::data_exception(
      "ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00\nCONTEXT:  COPY healthcheck",
      "COPY", "22021"));
  EXPECT_EQ(classified.error_class, DbErrorClass::row_data);
  EXPECT_EQ(classified.sqlstate, "22021");
  EXPECT_EQ(classified.message,
            "ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00 CONTEXT:  COPY healthcheck");
  EXPECT_EQ(classify_exception(pqxx::undefined_column("column \"x\" does not exist", "", "42703"))
                .error_class,
            DbErrorClass::definition);
}

TEST(DbErrorClass, ADbErrorKeepsItsClassThroughClassification) {
  DbError error(DbErrorClass::busy, "55P03", "canceling statement due to lock timeout",
                "writing to table t in database d");
  EXPECT_STREQ(error.what(),
               "writing to table t in database d: canceling statement due to lock timeout");
  auto classified = classify_exception(error);
  EXPECT_EQ(classified.error_class, DbErrorClass::busy);
  EXPECT_EQ(classified.sqlstate, "55P03");
  EXPECT_EQ(classified.message, "canceling statement due to lock timeout");
}

TEST(DbErrorClass, OneLineJoinsLibpqLinesWithSingleSpaces) {
  EXPECT_EQ(one_line("could not connect: Connection refused\n\tIs the server running?\n"),
            "could not connect: Connection refused Is the server running?");
  EXPECT_EQ(one_line(""), "");
}

}  // namespace
}  // namespace hc::consumer
