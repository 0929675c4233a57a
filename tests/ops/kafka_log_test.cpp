// librdkafka's own log lines go through hc's logger: with --log-format json every stderr line
// of a role is one JSON object, librdkafka's lines included (with `facility` and `client`).
// The trigger is a broker that refuses connections (a closed loopback port): librdkafka then
// logs the failed connects itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::seconds;

// Runs `hc ROLE --log-format json` until the role's main Kafka client (`main_client`, a part
// of librdkafka's handle name) has logged, then stops it; expects every stderr line to be a
// JSON object, librdkafka's with their facility and client.
// Returns the log.
std::string expect_librdkafka_lines_as_json(const std::string& role, const std::string& main_client,
                                            const std::string& config_text) {
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << config_text;
  const auto log = dir.path() / (role + ".log");
  test::ChildProcess::Options options;
  options.stderr_file = log;
  test::ChildProcess process(
      {test::hc_binary().string(), "--" + role, "-c", config.string(), "--log-format", "json"},
      options);
  EXPECT_TRUE(test::eventually(
      [&] { return test::read_file(log).find(main_client) != std::string::npos; }, seconds(60)))
      << "no librdkafka log line of " << main_client << " within 60 s; the log:\n"
      << test::read_file(log);
  process.send_signal(SIGTERM);
  const auto exit_code = process.wait_for_exit(seconds(30));
  EXPECT_TRUE(exit_code.has_value()) << "hc --" << role << " did not stop after SIGTERM";
  EXPECT_EQ(exit_code.value_or(-1), 0) << test::read_file(log);

  std::istringstream lines(test::read_file(log));
  std::string line;
  int librdkafka_lines = 0;
  int main_client_lines = 0;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(record.is_object() && record.contains("message"))
        << "not a JSON log line: " << line;
    if (!record.is_object() || !record.contains("message")) continue;
    const std::string message = record["message"];
    if (message.rfind("librdkafka: ", 0) != 0) continue;
    ++librdkafka_lines;
    EXPECT_TRUE(record.contains("facility")) << line;
    EXPECT_EQ(record["role"], role) << line;
    // librdkafka's handle name: "<client.id>#<producer|consumer>-<n>".
    EXPECT_NE(record.value("client", "").find('#'), std::string::npos) << line;
    if (record.value("client", "").find(main_client) != std::string::npos) ++main_client_lines;
  }
  EXPECT_GE(librdkafka_lines, 1);
  EXPECT_GE(main_client_lines, 1) << "no librdkafka line of the " << main_client << " client";
  return test::read_file(log);
}

TEST(KafkaClientLogs, ConsumerLogsLibrdkafkaLinesAsJson) {
  test::TempPostgres postgres;
  const std::string log =
      expect_librdkafka_lines_as_json("consumer", "#consumer-",
                                      "healthcheck-consumer-config:\n"
                                      "  bootstrap_servers: [\"127.0.0.1:" +
                                          std::to_string(test::unused_loopback_port()) +
                                          "\"]\n"
                                          "  topics:\n"
                                          "    - source_topic: healthcheck\n"
                                          "      connection_uri: \"" +
                                          postgres.uri() +
                                          "\"\n"
                                          "      table_name: healthcheck\n");
  // The start line counts in the singular where it should.
  EXPECT_NE(log.find("consumer started: group hc-consumer, topics healthcheck, 1 table in 1 "
                     "database\""),
            std::string::npos)
      << log;
}

TEST(KafkaClientLogs, ProducerLogsLibrdkafkaLinesAsJson) {
  expect_librdkafka_lines_as_json("producer", "hc-producer#producer-",
                                  "healthcheck-producer-config:\n"
                                  "  bootstrap_servers: [\"127.0.0.1:" +
                                      std::to_string(test::unused_loopback_port()) +
                                      "\"]\n"
                                      "  defaults: { destination_topic: healthcheck }\n"
                                      "  websites:\n"
                                      "    - url: http://127.0.0.1:" +
                                      std::to_string(test::unused_loopback_port()) + "/\n");
}

}  // namespace
}  // namespace hc
