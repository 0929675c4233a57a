// The COPY text escapers against a real PostgreSQL 15: hostile strings and text arrays go in
// through `COPY ... FROM STDIN` exactly as the sink sends them (append_copy_escaped,
// append_copy_text_array) and must read back byte for byte. (fuzz/copy_text_fuzzer.cpp checks the
// same against a reference unescaper for any bytes; PostgreSQL itself refuses NUL and invalid
// UTF-8, which the decoder keeps out.)
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hc/store/copy_text.h"
#include "hc/test/support.h"

namespace hc::store {
namespace {

struct PgConnDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// Strings that trip hand-written COPY escaping: the format's own specials, what looks like
// an escape or the end marker, line ends of every kind, control bytes, multi-byte UTF-8.
std::vector<std::string> hostile_strings() {
  std::vector<std::string> strings = {
      "",
      "\\",
      "\\\\",
      "\\N",
      "N",
      "\\.",
      ".",
      "a\\",
      "\t",
      "\n",
      "\r",
      "\r\n",
      "\n\\.\n",
      "\r\n\\.\r\n",
      "tab\tin\tthe\tmiddle",
      "\\t is not a tab, \\n is not a newline",
      "\\x41\\101\\b\\f\\v",
      "'); DROP TABLE copy_roundtrip; --",
      "\"quoted\" and 'single'",
      "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbb\xbf",
      "combining e\xcc\x81 and zero width\xe2\x80\x8b",
      "\x7f del and \x1b[31mescape\x1b[0m",
      std::string(1 << 20, '\\'),
  };
  std::string controls;
  for (char c = 1; c < 0x20; ++c) controls.push_back(c);
  strings.push_back(controls);
  // Random mixes of the specials above, seeded: the same strings on every run.
  const std::vector<std::string> pieces = {
      "\\", "\t", "\n", "\r", "N", ".", "x", "\\N", "\xc3\xa9", "\xf0\x9f\x98\x80", " ", "0", "7"};
  std::mt19937 random(20261125);
  for (int i = 0; i < 500; ++i) {
    std::string text;
    const int length = static_cast<int>(random() % 12);
    for (int j = 0; j < length; ++j) text += pieces[random() % pieces.size()];
    strings.push_back(std::move(text));
  }
  return strings;
}

PgResult exec(PGconn* connection, const std::string& sql) {
  return PgResult(PQexec(connection, sql.c_str()));
}

// What trips hand-written array literals on top: the array syntax's own specials, text that
// reads as NULL, whitespace PostgreSQL trims around unquoted elements.
std::vector<std::string> hostile_array_elements() {
  std::vector<std::string> elements = {
      "NULL",    "null", " NULL ", "{",           "}",    "{}", ",",
      "\"",      "\"\"", "a\"b",   "{\"a\"}",     "\\\"", " ",  "  lead",
      "trail  ", "a,b",  "{a,b}",  "[1:2]={x,y}", "\\N",  "\\", "'"};
  for (auto& text : hostile_strings()) elements.push_back(std::move(text));
  return elements;
}

// COPY `data` into `table` on `connection`; returns the error, or "" on success.
std::string copy_in(PGconn* connection, const std::string& copy_sql, const std::string& data) {
  auto copy = exec(connection, copy_sql);
  if (PQresultStatus(copy.get()) != PGRES_COPY_IN) return PQerrorMessage(connection);
  if (PQputCopyData(connection, data.data(), static_cast<int>(data.size())) != 1 ||
      PQputCopyEnd(connection, nullptr) != 1) {
    return PQerrorMessage(connection);
  }
  PgResult copied(PQgetResult(connection));
  std::string error =
      PQresultStatus(copied.get()) == PGRES_COMMAND_OK ? "" : PQerrorMessage(connection);
  while (PgResult(PQgetResult(connection))) {
  }
  return error;
}

TEST(CopyTextInPostgres, HostileStringsReadBackByteForByte) {
  test::TempPostgres postgres;
  PgConn connection(PQconnectdb(postgres.uri().c_str()));
  ASSERT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
  ASSERT_EQ(PQresultStatus(exec(connection.get(), "SET client_encoding = 'UTF8'").get()),
            PGRES_COMMAND_OK);
  ASSERT_EQ(PQresultStatus(
                exec(connection.get(), "CREATE TABLE copy_roundtrip (id int, value text)").get()),
            PGRES_COMMAND_OK);

  const auto strings = hostile_strings();
  std::string data;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    data += std::to_string(i);
    data += '\t';
    append_copy_escaped(data, strings[i]);
    data += '\n';
  }
  auto copy = exec(connection.get(), "COPY copy_roundtrip (id, value) FROM STDIN");
  ASSERT_EQ(PQresultStatus(copy.get()), PGRES_COPY_IN) << PQerrorMessage(connection.get());
  ASSERT_EQ(PQputCopyData(connection.get(), data.data(), static_cast<int>(data.size())), 1);
  ASSERT_EQ(PQputCopyEnd(connection.get(), nullptr), 1);
  PgResult copied(PQgetResult(connection.get()));
  ASSERT_EQ(PQresultStatus(copied.get()), PGRES_COMMAND_OK) << PQerrorMessage(connection.get());
  while (PgResult(PQgetResult(connection.get()))) {
  }

  auto rows =
      exec(connection.get(), "SELECT id, value, value IS NULL FROM copy_roundtrip ORDER BY id");
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(connection.get());
  ASSERT_EQ(PQntuples(rows.get()), static_cast<int>(strings.size()));
  for (int row = 0; row < PQntuples(rows.get()); ++row) {
    const std::string& expected = strings[static_cast<std::size_t>(row)];
    EXPECT_EQ(std::string(PQgetvalue(rows.get(), row, 2)), "f") << "row " << row << " is NULL";
    EXPECT_EQ(std::string(PQgetvalue(rows.get(), row, 1),
                          static_cast<std::size_t>(PQgetlength(rows.get(), row, 1))),
              expected)
        << "row " << row;
  }
}

// Arrays of every hostile element alone, of random groups of them, and an empty array, as
// the sink writes failed_conditions: each reads back element for element, none as NULL.
TEST(CopyTextInPostgres, HostileTextArraysReadBackElementForElement) {
  test::TempPostgres postgres;
  PgConn connection(PQconnectdb(postgres.uri().c_str()));
  ASSERT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
  ASSERT_EQ(PQresultStatus(exec(connection.get(), "SET client_encoding = 'UTF8'").get()),
            PGRES_COMMAND_OK);
  ASSERT_EQ(
      PQresultStatus(
          exec(connection.get(), "CREATE TABLE array_roundtrip (id int, value text[])").get()),
      PGRES_COMMAND_OK);

  const auto elements = hostile_array_elements();
  constexpr int kGroups = 200;
  std::vector<std::vector<std::string>> arrays = {{}};
  arrays.reserve(1 + elements.size() + kGroups);
  for (const auto& element : elements) arrays.push_back({element});
  std::mt19937 random(20261126);
  for (int i = 0; i < kGroups; ++i) {
    std::vector<std::string> group;
    const int length = 2 + static_cast<int>(random() % 6);
    group.reserve(static_cast<std::size_t>(length));
    for (int j = 0; j < length; ++j) group.push_back(elements[random() % elements.size()]);
    arrays.push_back(std::move(group));
  }
  std::string data;
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    data += std::to_string(i);
    data += '\t';
    append_copy_text_array(data, arrays[i]);
    data += '\n';
  }
  ASSERT_EQ(copy_in(connection.get(), "COPY array_roundtrip (id, value) FROM STDIN", data), "");

  auto rows = exec(connection.get(),
                   "SELECT id, coalesce(cardinality(value), -1), u.ord, u.element,"
                   " u.element IS NULL FROM array_roundtrip"
                   " LEFT JOIN LATERAL unnest(value) WITH ORDINALITY AS u(element, ord) ON true"
                   " ORDER BY id, u.ord");
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(connection.get());
  std::vector<std::vector<std::string>> back(arrays.size());
  for (int row = 0; row < PQntuples(rows.get()); ++row) {
    const auto id = static_cast<std::size_t>(std::stoi(PQgetvalue(rows.get(), row, 0)));
    ASSERT_LT(id, arrays.size());
    EXPECT_EQ(std::stoul(PQgetvalue(rows.get(), row, 1)), arrays[id].size()) << "array " << id;
    if (PQgetisnull(rows.get(), row, 2)) continue;  // the empty array's one joined row
    EXPECT_EQ(std::string(PQgetvalue(rows.get(), row, 4)), "f") << "array " << id << " NULL";
    back[id].emplace_back(PQgetvalue(rows.get(), row, 3),
                          static_cast<std::size_t>(PQgetlength(rows.get(), row, 3)));
  }
  for (std::size_t i = 0; i < arrays.size(); ++i) EXPECT_EQ(back[i], arrays[i]) << "array " << i;
}

}  // namespace
}  // namespace hc::store
