// `hc report` and /api/v1/report against a raw-row reference: rows and events written by hand
// after `hc migrate` (what the consumer writes), rollups closed by `hc maintain`, the month's
// numbers computed again from the raw rows in SQL and from the events by hand.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::seconds;

constexpr const char* kSiteA = "https://a.example/";
// A URL that a spreadsheet would read as a formula if a CSV cell started with it.
constexpr const char* kSiteB = "=HYPERLINK(\"http://evil.example/\",\"x\")";

std::string digest_sql(const std::string& url) {
  return "sha256(convert_to(" + std::string("$$") + url + "$$, 'UTF8'))";
}

// Rows of `url` every `step` from `from` to `to` (exclusive), response time varying with the
// minute, unhealthy where `down_sql` (over t) holds.
std::string rows_sql(const std::string& url, const char* from, const char* to, const char* step,
                     const std::string& down_sql) {
  return "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
         " status_code, regex_present, error, healthy)"
         " SELECT " +
         digest_sql(url) +
         ", t,"
         " 10000 + (extract(epoch FROM t)::bigint / 60 % 97) * 1000, $$" +
         url +
         "$$,"
         " CASE WHEN " +
         down_sql +
         " THEN NULL ELSE 200 END, false,"
         " CASE WHEN " +
         down_sql + " THEN 'timeout' END, NOT (" + down_sql +
         ")"
         " FROM generate_series('" +
         from + "'::timestamptz, '" + to + "'::timestamptz - interval '1 second', '" + step +
         "'::interval) AS t;";
}

std::string event_sql(const std::string& url, const char* at, const char* from, const char* to) {
  return "INSERT INTO site_events (url_digest, at, url, from_state, to_state, producer)"
         " VALUES (" +
         digest_sql(url) + ", '" + at + "', $$" + url + "$$, '" + from + "', '" + to +
         "', 'test');";
}

TEST(ReportE2E, TheMonthsNumbersMatchTheRawRowsAndTheEventsAndTheCsvIsInert) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: checks\n"
                        << "    - source_topic: healthcheck.events\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: site_events\n"
                        << "      kind: events\n";
  auto migrated = test::run_hc({"migrate", "-c", config.string()});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  // A: every 5 min from 2026-10-30 to 2026-12-02, down during its outages. B: every 7 min of
  // 2026-11-15 and 16, down one hour. Rows outside November must not count.
  const std::string a_down =
      "(t >= '2026-10-31T23:30:00Z' AND t < '2026-11-01T00:45:00Z') OR"
      " (t >= '2026-11-10T10:00:00Z' AND t < '2026-11-10T11:30:00Z') OR"
      " (t >= '2026-11-30T23:00:00Z' AND t < '2026-12-01T01:00:00Z')";
  postgres.query(
      rows_sql(kSiteA, "2026-10-30T00:00:00Z", "2026-12-02T00:00:00Z", "5 minutes", a_down) +
      rows_sql(kSiteB, "2026-11-15T00:00:00Z", "2026-11-17T00:00:00Z", "7 minutes",
               "(t >= '2026-11-16T08:00:00Z' AND t < '2026-11-16T09:00:00Z')") +
      test::record_like_the_consumer_sql("checks") + ";" +
      event_sql(kSiteA, "2026-10-30T00:00:00Z", "unknown", "up") +
      event_sql(kSiteA, "2026-10-31T23:30:00Z", "up", "down") +
      event_sql(kSiteA, "2026-11-01T00:45:00Z", "down", "up") +
      event_sql(kSiteA, "2026-11-10T10:00:00Z", "up", "down") +
      event_sql(kSiteA, "2026-11-10T11:30:00Z", "down", "up") +
      event_sql(kSiteA, "2026-11-30T23:00:00Z", "up", "down") +
      event_sql(kSiteA, "2026-12-01T01:00:00Z", "down", "up"));
  // Close the rollups, so the report reads whole days from the daily rollup.
  auto maintained = test::run_hc({"maintain", "-c", config.string()});
  ASSERT_EQ(maintained.exit_code, 0) << maintained.output;
  ASSERT_NE(postgres.query("SELECT count(*) FROM checks_daily_rollup"), "0");

  // The reference, from the raw rows.
  struct Reference {
    std::int64_t checks;
    std::int64_t up_checks;
    double p95_us;
  };
  std::map<std::string, Reference> reference;
  for (const std::string& url : {std::string(kSiteA), std::string(kSiteB)}) {
    const std::string row = postgres.query(
        "SELECT count(*) || ' ' || count(*) FILTER (WHERE healthy) || ' ' ||"
        " percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_microseconds)"
        " FROM checks WHERE uri = $$" +
        url +
        "$$ AND measurement_time >= '2026-11-01T00:00:00Z'"
        " AND measurement_time < '2026-12-01T00:00:00Z'");
    std::istringstream fields(row);
    Reference values{};
    fields >> values.checks >> values.up_checks >> values.p95_us;
    reference[url] = values;
  }
  ASSERT_EQ(reference[kSiteA].checks, 30 * 288);

  auto json_run =
      test::run_hc({"report", "-c", config.string(), "--month", "2026-11", "--format", "json"});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.output;
  const auto report = nlohmann::json::parse(json_run.output);
  EXPECT_EQ(report["month"], "2026-11");
  EXPECT_EQ(report["until"], "2026-12-01T00:00:00.000000Z");
  ASSERT_EQ(report["sites"].size(), 2u) << json_run.output;
  std::map<std::string, nlohmann::json> by_url;
  for (const auto& site : report["sites"]) by_url[site["url"]] = site;
  for (const auto& [url, expected] : reference) {
    const auto& site = by_url.at(url);
    EXPECT_EQ(site["checks"], expected.checks) << url;
    EXPECT_EQ(site["up_checks"], expected.up_checks) << url;
    EXPECT_DOUBLE_EQ(
        site["uptime_percent"].get<double>(),
        100.0 * static_cast<double>(expected.up_checks) / static_cast<double>(expected.checks))
        << url;
    // The p95 from the rollups' histograms: within its bucket (at most 26 % wide) of the raw
    // percentile.
    EXPECT_NEAR(site["p95_response_ms"].get<double>() * 1000.0, expected.p95_us,
                expected.p95_us * 0.26)
        << url;
  }
  // Downtime from the events, inside November only: 45 + 90 + 60 minutes.
  EXPECT_EQ(by_url.at(kSiteA)["downtime_minutes"], 195);
  EXPECT_EQ(by_url.at(kSiteA)["outages"], 3);
  EXPECT_EQ(by_url.at(kSiteA)["longest_outage_minutes"], 90);
  EXPECT_EQ(by_url.at(kSiteB)["downtime_minutes"], 0);  // no events: never changed state
  EXPECT_EQ(by_url.at(kSiteB)["outages"], 0);

  // CSV: B's URL is quoted and prefixed, so no spreadsheet evaluates it.
  auto csv_run =
      test::run_hc({"report", "-c", config.string(), "--month", "2026-11", "--format", "csv"});
  ASSERT_EQ(csv_run.exit_code, 0) << csv_run.output;
  EXPECT_TRUE(csv_run.output.starts_with("month,table,url,checks,")) << csv_run.output;
  EXPECT_NE(csv_run.output.find(
                "2026-11,checks,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\","),
            std::string::npos)
      << csv_run.output;
  EXPECT_NE(csv_run.output.find("2026-11,checks,https://a.example/,8640,"), std::string::npos)
      << csv_run.output;
  for (std::size_t line = 0; line != std::string::npos;
       line = csv_run.output.find('\n', line + 1)) {
    const std::size_t start = line == 0 ? 0 : line + 1;
    if (start >= csv_run.output.size()) break;
    const char first = csv_run.output[start];
    EXPECT_TRUE(first != '=' && first != '+' && first != '-' && first != '@') << start;
  }
  auto table_run = test::run_hc({"report", "-c", config.string(), "--month", "2026-11"});
  ASSERT_EQ(table_run.exit_code, 0) << table_run.output;
  EXPECT_NE(table_run.output.find("https://a.example/"), std::string::npos);
  auto bad = test::run_hc({"report", "-c", config.string(), "--month", "2026-13"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("expected YYYY-MM"), std::string::npos) << bad.output;

  // The same through hc serve.
  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, port);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(20);
  ASSERT_TRUE(test::eventually(
      [&] {
        auto response = client.Get("/healthz");
        return response && response->status == 200;
      },
      seconds(20)));
  auto api = client.Get("/api/v1/report?month=2026-11");
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200) << api->body;
  EXPECT_EQ(nlohmann::json::parse(api->body), report);
  auto api_csv = client.Get("/api/v1/report?month=2026-11&format=csv");
  ASSERT_TRUE(api_csv);
  EXPECT_EQ(api_csv->status, 200);
  EXPECT_EQ(api_csv->body, csv_run.output);
  EXPECT_EQ(api_csv->get_header_value("Content-Disposition"),
            "attachment; filename=\"hc-report-2026-11.csv\"");
  for (const char* target : {"/api/v1/report", "/api/v1/report?month=11-2026",
                             "/api/v1/report?month=2026-11&format=xls"}) {
    auto refused = client.Get(target);
    ASSERT_TRUE(refused) << target;
    EXPECT_EQ(refused->status, 400) << target;
  }
  serve.send_signal(SIGTERM);
  EXPECT_EQ(serve.wait_for_exit(seconds(10)), 0);
}

}  // namespace
}  // namespace hc
