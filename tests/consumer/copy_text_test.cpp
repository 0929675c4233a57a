// COPY text rendering of rows (the round trip through PostgreSQL is in pg_sink_test).
#include "copy_text.h"

#include <gtest/gtest.h>

namespace hc::consumer {
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

TEST(CopyText, WritesNullsAsBackslashNAndEndsTheRowWithANewline) {
  Measurement m;
  m.url = "http://x/";
  m.url_digest = std::string(64, 'a');
  m.measured_at = WallTime(std::chrono::microseconds(1'700'000'000'000'001));
  m.response_time_us = 5;
  m.error = "connect";
  std::string out;
  append_copy_row(out, m);
  EXPECT_EQ(out, "\\\\x" + std::string(64, 'a') +
                     "\t2023-11-14T22:13:20.000001Z\t5\thttp://x/\t\\N\tf\t\\N\tconnect\t\\N"
                     "\t\\N\t\\N\t\\N\t\\N\t0\t\\N\n");
}

}  // namespace
}  // namespace hc::consumer
