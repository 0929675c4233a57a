#include "hc/common/logging.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "hc/test/log_capture.h"

namespace hc {
namespace {

// Captures what the default logger writes, with the formatter init_logging installed.
class LogCapture : public test::LogCapture {
 public:
  explicit LogCapture(LogFormat format)
      : test::LogCapture(make_log_formatter(format, "producer")) {}
};

TEST(Logging, JsonLinesCarryRoleMessageAndFields) {
  LogCapture capture(LogFormat::kJson);
  log_event(spdlog::level::warn, "check failed",
            {{"url", "http://127.0.0.1:1/"}, {"error", "connect"}});
  spdlog::info("plain \"quoted\" line");
  std::istringstream lines(capture.text());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto first = nlohmann::json::parse(line);
  EXPECT_EQ(first["level"], "warning");
  EXPECT_EQ(first["role"], "producer");
  EXPECT_EQ(first["message"], "check failed");
  EXPECT_EQ(first["url"], "http://127.0.0.1:1/");
  EXPECT_EQ(first["error"], "connect");
  EXPECT_EQ(first["time"].get<std::string>().back(), 'Z');
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(nlohmann::json::parse(line)["message"], "plain \"quoted\" line");
}

TEST(Logging, TextLinesAppendFieldsAsKeyValue) {
  LogCapture capture(LogFormat::kText);
  log_event(spdlog::level::info, "row written",
            {{"table", "healthcheck"}, {"detail", "two words"}});
  std::string text = capture.text();
  EXPECT_NE(text.find("info [producer] row written table=healthcheck detail=\"two words\"\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace hc
