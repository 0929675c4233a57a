// Operations through the real path: one short pipeline (local sites <- hc --producer ->
// hc-devbroker -> hc --consumer -> PostgreSQL) with --metrics-addr and --log-format json,
// shared by the tests of this file; then /metrics, /healthz, JSON logs and `hc status`.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <vector>

#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::seconds;

// Sum of every sample of `name` whose labels contain `label_filter` (may be empty).
double metric_sum(const std::string& body, const std::string& name,
                  const std::string& label_filter = "") {
  double sum = 0;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    if (!label_filter.empty() && line.find(label_filter) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class OpsPipeline : public testing::Test {
 protected:
  struct Pipeline {
    test::DevBroker broker{{{"healthcheck", 4}, {"healthcheck.dlq", 1}}};
    test::TempPostgres postgres;
    test::LocalHttpServer web;
    test::TempDir dir;
    int producer_metrics_port = test::unused_loopback_port();
    int consumer_metrics_port = test::unused_loopback_port();
    std::unique_ptr<test::ChildProcess> producer;
    std::unique_ptr<test::ChildProcess> consumer;
    std::string up_url;
    std::string down_url;
  };

  static void SetUpTestSuite() {
    shared_pipeline = std::make_unique<Pipeline>();
    Pipeline& p = *shared_pipeline;
    p.web.server().Get("/up", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("hc demo: all systems operational", "text/plain");
    });
    p.web.server().Get("/down", [](const httplib::Request&, httplib::Response& response) {
      response.status = 500;
      response.set_content("broken", "text/plain");
    });
    p.web.start();
    p.up_url = p.web.url("/up");
    p.down_url = p.web.url("/down");
    std::ofstream(config_path()) << "healthcheck-producer-config:\n"
                                 << "  bootstrap_servers: [\"" << p.broker.bootstrap_servers()
                                 << "\"]\n"
                                 << "  defaults:\n"
                                 << "    polling_interval_in_seconds: 1\n"
                                 << "    destination_topic: healthcheck\n"
                                 << "  websites:\n"
                                 << "    - url: " << p.up_url << "\n"
                                 << "      regex: operational\n"
                                 << "    - url: " << p.down_url << "\n"
                                 << "healthcheck-consumer-config:\n"
                                 << "  bootstrap_servers: [\"" << p.broker.bootstrap_servers()
                                 << "\"]\n"
                                 << "  group_id: ops\n"
                                 << "  batch_max_wait_ms: 50\n"
                                 << "  topics:\n"
                                 << "    - source_topic: healthcheck\n"
                                 << "      connection_uri: \"" << p.postgres.uri() << "\"\n"
                                 << "      table_name: healthcheck\n";
    p.consumer = start_role("--consumer", p.consumer_metrics_port, "consumer");
    p.producer = start_role("--producer", p.producer_metrics_port, "producer");
  }

  static void TearDownTestSuite() { shared_pipeline.reset(); }

  static std::filesystem::path config_path() { return shared_pipeline->dir.path() / "config.yaml"; }

  static std::unique_ptr<test::ChildProcess> start_role(const std::string& role, int port,
                                                        const std::string& name) {
    test::ChildProcess::Options options;
    options.stderr_file = shared_pipeline->dir.path() / (name + ".log");
    options.stdout_file = shared_pipeline->dir.path() / (name + ".out");
    return std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), role, "-c", config_path().string(),
                                 "--log-format", "json", "--metrics-addr",
                                 "127.0.0.1:" + std::to_string(port)},
        options);
  }

  static std::string scrape(int port, const std::string& path = "/metrics", int* status = nullptr) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    auto response = client.Get(path);
    if (!response) return "";
    if (status != nullptr) *status = response->status;
    return response->body;
  }

  static std::unique_ptr<Pipeline> shared_pipeline;
};

std::unique_ptr<OpsPipeline::Pipeline> OpsPipeline::shared_pipeline;

TEST_F(OpsPipeline, ProducerMetricsMoveAsChecksHappen) {
  const int port = shared_pipeline->producer_metrics_port;
  const std::string up_label = "url=\"" + shared_pipeline->up_url + "\"";
  ASSERT_TRUE(test::eventually(
      [&] { return metric_sum(scrape(port), "hc_checks_total", up_label) >= 1; }, seconds(20)))
      << scrape(port);
  std::string first = scrape(port);
  double up_checks = metric_sum(first, "hc_checks_total", up_label);
  EXPECT_GE(metric_sum(first, "hc_checks_total", "outcome=\"unexpected_status\""), 0);
  EXPECT_NE(first.find("# TYPE hc_check_duration_seconds histogram"), std::string::npos) << first;
  EXPECT_NE(first.find("# TYPE hc_schedule_lateness_seconds histogram"), std::string::npos);
  EXPECT_GE(metric_sum(first, "hc_check_loop_lag_seconds_count", ""), 1) << first;
  EXPECT_NE(first.find("hc_skipped_checks_total"), std::string::npos);
  EXPECT_NE(first.find("hc_in_flight_checks"), std::string::npos);
  EXPECT_NE(first.find("hc_publish_errors_total"), std::string::npos);
  EXPECT_NE(first.find("hc_queue_depth_messages"), std::string::npos);
  EXPECT_NE(first.find("hc_dropped_messages_total"), std::string::npos);
  EXPECT_TRUE(test::eventually(
      [&] { return metric_sum(scrape(port), "hc_checks_total", up_label) > up_checks; },
      seconds(10)));
  EXPECT_GE(metric_sum(scrape(port), "hc_checks_total",
                       "url=\"" + shared_pipeline->down_url + "\",outcome=\"unexpected_status\""),
            1);
  int status = 0;
  EXPECT_EQ(scrape(port, "/healthz", &status), "ok\n");
  EXPECT_EQ(status, 200);
}

TEST_F(OpsPipeline, ConsumerMetricsCountRowsWrittenPerTable) {
  const int port = shared_pipeline->consumer_metrics_port;
  ASSERT_TRUE(test::eventually(
      [&] {
        return metric_sum(scrape(port), "hc_rows_written_total", "table=\"healthcheck\"") >= 2;
      },
      seconds(30)))
      << scrape(port);
  std::string body = scrape(port);
  EXPECT_GE(metric_sum(body, "hc_messages_consumed_total"),
            metric_sum(body, "hc_rows_written_total"));
  EXPECT_NE(body.find("# TYPE hc_batch_rows histogram"), std::string::npos) << body;
  EXPECT_NE(body.find("# TYPE hc_commit_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(body.find("hc_dead_letter_messages_total"), std::string::npos);
  EXPECT_NE(body.find("hc_consumer_lag_messages"), std::string::npos);
  EXPECT_EQ(metric_sum(body, "hc_database_up"), 1);
  int status = 0;
  EXPECT_EQ(scrape(port, "/healthz", &status), "ok\n");
  EXPECT_EQ(status, 200);
}

TEST_F(OpsPipeline, StatusMatchesADirectSqlCount) {
  Pipeline& p = *shared_pipeline;
  ASSERT_TRUE(test::eventually(
      [&] {
        try {
          return std::stoi(p.postgres.query("SELECT count(DISTINCT uri) FROM healthcheck")) == 2;
        } catch (const std::exception&) {
          return false;  // table not created yet
        }
      },
      seconds(30)));
  // Stop the producer and let the consumer write every check it published, so both reads
  // see the same rows.
  p.producer->send_signal(SIGTERM);
  ASSERT_EQ(p.producer->wait_for_exit(seconds(20)), 0);
  const std::int64_t published =
      test::topic_record_count(p.broker.bootstrap_servers(), "healthcheck", 4);
  ASSERT_TRUE(test::eventually(
      [&] { return std::stoll(p.postgres.query("SELECT count(*) FROM healthcheck")) == published; },
      seconds(20)))
      << published << " published";
  const std::string sql_counts =
      p.postgres.query("SELECT uri || '=' || count(*) FROM healthcheck GROUP BY uri ORDER BY uri");

  auto json_run = test::run_command({test::hc_binary().string(), "status", "-c",
                                     config_path().string(), "--since", "1h", "--format", "json"});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  auto sites = nlohmann::json::parse(json_run.output.substr(json_run.output.find('[')));
  std::string status_counts;
  for (const auto& site : sites) {
    if (!status_counts.empty()) status_counts += "\n";
    status_counts +=
        site["url"].get<std::string>() + "=" + std::to_string(site["checks"].get<long>());
  }
  EXPECT_EQ(status_counts, sql_counts);
  for (const auto& site : sites) {
    bool up = site["url"] == p.up_url;
    EXPECT_EQ(site["last_status_code"], up ? 200 : 500);
    EXPECT_EQ(site["uptime_percent"].get<double>(), up ? 100.0 : 0.0);
    EXPECT_EQ(site["last_error"],
              up ? nlohmann::json(nullptr) : nlohmann::json("unexpected_status"));
  }

  auto table_run =
      test::run_command({test::hc_binary().string(), "status", "-c", config_path().string()});
  ASSERT_EQ(table_run.exit_code, 0) << table_run.output;
  EXPECT_NE(table_run.output.find("UPTIME"), std::string::npos) << table_run.output;
  EXPECT_TRUE(std::regex_search(
      table_run.output,
      std::regex(std::regex_replace(p.up_url, std::regex(R"([.?/])"), R"(\$&)") + R"(\s+200\s+)")))
      << table_run.output;
}

TEST_F(OpsPipeline, JsonLogLinesParseWithTimeLevelRoleAndMessage) {
  // Complete lines only: the producer may be writing the next one as we read.
  auto complete_lines = [] {
    std::ifstream log(shared_pipeline->dir.path() / "producer.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    std::vector<std::string> lines;
    std::size_t begin = 0;
    for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
      lines.push_back(text.substr(begin, end - begin));
    }
    return lines;
  };
  // Start-up writes at least "checking N sites" and "serving /metrics".
  ASSERT_TRUE(test::eventually([&] { return complete_lines().size() >= 2; }, seconds(20)));
  for (const auto& line : complete_lines()) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(record.is_object()) << line;
    EXPECT_TRUE(record.contains("time") && record.contains("level") && record.contains("message"))
        << line;
    EXPECT_EQ(record["role"], "producer") << line;
  }
}

}  // namespace
}  // namespace hc
