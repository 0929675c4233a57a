// The error classes: what the consumer does for each SQLSTATE and each libpqxx exception.
#include "hc/store/db_error.h"

#include <gtest/gtest.h>

#include <pqxx/except>
#include <string>
#include <vector>

namespace hc::store {
namespace {

struct Case {
  const char* sqlstate;
  DbErrorClass expected;
  const char* what;
};

TEST(DbErrorClass, EverySqlstateFallsInTheClassOfWhatTheConsumerDoes) {
  const std::vector<Case> cases = {
      {"08006", DbErrorClass::kOutage, "connection failure"},
      {"08001", DbErrorClass::kOutage, "cannot connect"},
      {"53100", DbErrorClass::kOutage, "disk full"},
      {"53300", DbErrorClass::kOutage, "too many connections"},
      {"57P01", DbErrorClass::kOutage, "admin shutdown"},
      {"57P03", DbErrorClass::kOutage, "cannot connect now (starting up)"},
      {"58030", DbErrorClass::kOutage, "I/O error"},
      {"40001", DbErrorClass::kOutage, "serialization failure"},
      {"40P01", DbErrorClass::kOutage, "deadlock"},
      {"XX000", DbErrorClass::kOutage, "internal error"},
      {"57014", DbErrorClass::kBusy, "statement_timeout"},
      {"55P03", DbErrorClass::kBusy, "lock_timeout"},
      {"22021", DbErrorClass::kRowData, "NUL byte in text"},
      {"22008", DbErrorClass::kRowData, "datetime overflow"},
      {"22003", DbErrorClass::kRowData, "numeric out of range"},
      {"22001", DbErrorClass::kRowData, "string too long for a varchar set by hand"},
      {"22P02", DbErrorClass::kRowData, "invalid text representation"},
      {"23514", DbErrorClass::kRowData, "check constraint"},
      {"23502", DbErrorClass::kRowData, "not null"},
      {"23505", DbErrorClass::kRowData, "unique index added by hand"},
      {"P0001", DbErrorClass::kRowData, "a trigger's RAISE EXCEPTION"},
      {"42703", DbErrorClass::kDefinition, "column dropped by hand"},
      {"42P01", DbErrorClass::kDefinition, "table dropped"},
      {"42804", DbErrorClass::kDefinition, "column type changed"},
      {"42501", DbErrorClass::kDefinition, "permission revoked"},
      {"28P01", DbErrorClass::kDefinition, "password refused"},
      {"3D000", DbErrorClass::kDefinition, "database missing"},
      {"0A000", DbErrorClass::kDefinition, "feature not supported"},
      {"25P02", DbErrorClass::kDefinition, "transaction aborted"},
      {"", DbErrorClass::kOutage, "no SQLSTATE: lost connection"},
      {"2", DbErrorClass::kOutage, "malformed"},
      {"ZZ999", DbErrorClass::kOutage, "unknown class: wait rather than lose rows"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classify_sqlstate(c.sqlstate), c.expected)
        << c.sqlstate << " (" << c.what << ") is " << to_string(classify_sqlstate(c.sqlstate));
  }
}

TEST(DbErrorClass, LibpqxxExceptionsWithoutSqlstateAreOutages) {
  EXPECT_EQ(classify_exception(pqxx::broken_connection("server closed the connection")).error_class,
            DbErrorClass::kOutage);
  EXPECT_EQ(classify_exception(pqxx::in_doubt_error("commit outcome unknown")).error_class,
            DbErrorClass::kOutage);
  EXPECT_EQ(classify_exception(pqxx::serialization_failure("could not serialize")).error_class,
            DbErrorClass::kOutage);
  EXPECT_EQ(classify_exception(pqxx::deadlock_detected("deadlock")).error_class,
            DbErrorClass::kOutage);
  EXPECT_EQ(classify_exception(std::runtime_error("anything else")).error_class,
            DbErrorClass::kOutage);
}

TEST(DbErrorClass, SqlErrorsAreSortedByTheirSqlstateAndKeepTheirMessageOnOneLine) {
  auto classified = classify_exception(pqxx::data_exception(
      "ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00\nCONTEXT:  COPY healthcheck",
      "COPY", "22021"));
  EXPECT_EQ(classified.error_class, DbErrorClass::kRowData);
  EXPECT_EQ(classified.sqlstate, "22021");
  EXPECT_EQ(classified.message,
            "ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00 CONTEXT:  COPY healthcheck");
  EXPECT_EQ(classify_exception(pqxx::undefined_column("column \"x\" does not exist", "", "42703"))
                .error_class,
            DbErrorClass::kDefinition);
}

TEST(DbErrorClass, ADbErrorKeepsItsClassThroughClassification) {
  DbError error(DbErrorClass::kBusy, "55P03", "canceling statement due to lock timeout",
                "writing to table t in database d");
  EXPECT_STREQ(error.what(),
               "writing to table t in database d: canceling statement due to lock timeout");
  auto classified = classify_exception(error);
  EXPECT_EQ(classified.error_class, DbErrorClass::kBusy);
  EXPECT_EQ(classified.sqlstate, "55P03");
  EXPECT_EQ(classified.message, "canceling statement due to lock timeout");
}

TEST(DbErrorClass, OneLineJoinsLibpqLinesWithSingleSpaces) {
  EXPECT_EQ(one_line("could not connect: Connection refused\n\tIs the server running?\n"),
            "could not connect: Connection refused Is the server running?");
  EXPECT_EQ(one_line(""), "");
}

}  // namespace
}  // namespace hc::store
