// COPY text rendering of fields and rows (the round trip through PostgreSQL is in
// copy_text_pg_test and pg_sink_test).
#include "hc/store/copy_text.h"

#include <gtest/gtest.h>

#include <vector>

#include "measurement_columns.h"

namespace hc::store {
namespace {

std::string escaped(std::string_view text) {
  std::string out = "prefix|";
  append_copy_escaped(out, text);
  return out;
}

TEST(CopyText, EscapesBackslashTabNewlineAndCarriageReturnAnywhere) {
  EXPECT_EQ(escaped("plain https://a/b?c=d"), "prefix|plain https://a/b?c=d");
  EXPECT_EQ(escaped("a\tb\\c\nd\re"), "prefix|a\\tb\\\\c\\nd\\re");
  EXPECT_EQ(escaped("\\\\"), "prefix|\\\\\\\\");
  EXPECT_EQ(escaped("\tstart and end\n"), "prefix|\\tstart and end\\n");
  EXPECT_EQ(escaped(""), "prefix|");
}

std::string array(const std::vector<std::string>& elements) {
  std::string out;
  append_copy_text_array(out, elements);
  return out;
}

TEST(CopyText, WritesATextArrayWithEveryElementQuoted) {
  EXPECT_EQ(array({}), "{}");
  EXPECT_EQ(array({"status"}), "{\"status\"}");
  EXPECT_EQ(array({"a,b", "{c}", " d ", "NULL", ""}), "{\"a,b\",\"{c}\",\" d \",\"NULL\",\"\"}");
  // '"' and '\' get the array's backslash, then COPY doubles every backslash.
  EXPECT_EQ(array({"q\"x"}), "{\"q\\\\\"x\"}");
  EXPECT_EQ(array({"b\\s"}), "{\"b\\\\\\\\s\"}");
  EXPECT_EQ(array({"t\tn\n"}), "{\"t\\tn\\n\"}");
}

Measurement empty_row() {
  Measurement m;
  m.url = "http://x/";
  m.url_digest = std::string(64, 'a');
  m.measured_at = WallTime(std::chrono::microseconds(1'700'000'000'000'001));
  m.response_time_us = 5;
  return m;
}

TEST(MeasurementCopyRow, WritesNullsAsBackslashNAndEndsTheRowWithANewline) {
  Measurement m = empty_row();
  m.error = "connect";
  std::string out;
  append_measurement_copy_row(out, m);
  EXPECT_EQ(out, "\\\\x" + std::string(64, 'a') +
                     "\t2023-11-14T22:13:20.000001Z\t5\thttp://x/\t\\N\tf\t\\N\tconnect\t\\N"
                     "\t\\N\t\\N\t\\N\t\\N\t0\t\\N\t\\N\t{}"
                     "\tf\t\\N\thttp\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
                     "\t\\N\t\\N\t\\N\t\\N\n");
}

TEST(MeasurementCopyRow, WritesTheVerdictColumns) {
  Measurement m = empty_row();
  m.healthy = false;
  m.failed_conditions = {"status", "regex"};
  m.body_truncated = true;
  m.attempts = 3;
  m.address = "::1";
  std::string out;
  append_measurement_copy_row(out, m);
  // ... check_type, the tls and dns columns (null), the address used, the icmp columns (null).
  EXPECT_TRUE(
      out.ends_with("\tf\t{\"status\",\"regex\"}\tt\t3\thttp\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
                    "\t::1\t\\N\t\\N\t\\N\t\\N\n"))
      << out;
}

TEST(MeasurementCopyRow, WritesTheIcmpColumnsLast) {
  Measurement m = empty_row();
  m.check_type = "icmp";
  m.address = "127.0.0.1";
  m.rtt_min_us = 40;
  m.rtt_avg_us = 55;
  m.rtt_max_us = 70;
  m.loss_percent = 34;
  std::string out;
  append_measurement_copy_row(out, m);
  EXPECT_TRUE(out.ends_with("\t127.0.0.1\t40\t55\t70\t34\n")) << out;
}

// Splits a COPY line on its raw tabs: the fields as PostgreSQL counts them.
std::vector<std::string> copy_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (char c : line.substr(0, line.size() - 1)) {
    if (c == '\t') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  return fields;
}

// Whatever the row holds (nulls, every field, every COPY special in every text), its line
// has exactly one field per column, and one line.
TEST(MeasurementCopyRow, HasExactlyOneFieldPerColumn) {
  Measurement full = empty_row();
  full.url = "http://x/\t\n\r\\N";
  full.status_code = 200;
  full.regex = "\t";
  full.regex_match = true;
  full.error = "\n";
  full.error_detail = "a\tb\nc\rd\\";
  full.timings = {1, 2, 3, 4};
  full.healthy = true;
  full.failed_conditions = {"\t", "\n", "a,b", "\\"};
  full.body_bytes = 7;
  full.body_truncated = true;
  full.attempts = 100;
  full.cert_expires_at = full.measured_at;
  for (const Measurement& m : {empty_row(), full}) {
    std::string out;
    append_measurement_copy_row(out, m);
    ASSERT_EQ(out.back(), '\n');
    EXPECT_EQ(out.find_first_of("\n\r"), out.size() - 1) << out;
    EXPECT_EQ(copy_fields(out).size(), measurement_columns().size()) << out;
  }
}

}  // namespace
}  // namespace hc::store
