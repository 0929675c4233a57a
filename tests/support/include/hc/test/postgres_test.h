// A GoogleTest fixture base for tests against a real PostgreSQL: one throwaway server
// (TempPostgres) per test suite, and a fresh database per test, so tests do not see each
// other's tables.
//
//   class PgSinkTest : public test::PostgresTest<PgSinkTest> { ... };
//
// `Suite` (the deriving fixture) gives every suite its own server. A fixture that overrides
// SetUp() calls PostgresTest::SetUp() first.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hc/test/support.h"

namespace hc::test {

template <typename Suite>
class PostgresTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() { postgres = std::make_unique<TempPostgres>(); }
  static void TearDownTestSuite() { postgres.reset(); }

 protected:
  void SetUp() override {
    database_ = "t" + std::to_string(++databases_created_);
    postgres->create_database(database_);
  }
  // The test's database.
  std::string uri() const { return postgres->uri(database_); }
  std::string query(const std::string& sql) const { return postgres->query(sql, database_); }

  static inline std::unique_ptr<TempPostgres> postgres;  // one server per suite
  std::string database_;

 private:
  static inline int databases_created_ = 0;
};

}  // namespace hc::test
