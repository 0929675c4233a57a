// A site's page and badges from the built `hc serve` over a real PostgreSQL: measurements and
// state-change events written by hand after `hc migrate` (what the consumer writes), read back
// as the page's cards, chart and incident, and as badges.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <regex>

#include "hc/common/url_digest.h"
#include "hc/test/support.h"
#include "xml_check.h"

namespace hc {
namespace {

using std::chrono::seconds;

constexpr const char* kUrl = "https://a.example/health?token=s3cret";

class SitePageE2E : public testing::Test {
 protected:
  void SetUp() override {
    const auto config = dir_.path() / "config.yaml";
    std::ofstream(config) << "healthcheck-consumer-config:\n"
                          << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                          << "  topics:\n"
                          << "    - source_topic: healthcheck\n"
                          << "      connection_uri: \"" << postgres_.uri() << "\"\n"
                          << "      table_name: checks\n"
                          << "    - source_topic: healthcheck.events\n"
                          << "      connection_uri: \"" << postgres_.uri() << "\"\n"
                          << "      table_name: site_events\n"
                          << "      kind: events\n";
    auto migrated = test::run_hc({"migrate", "-c", config.string()});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
    // Every 10 minutes for the last 6 hours, 20 ms; down (timeouts of 900 ms) from 3 h ago
    // until 2 h ago; the events: up 6 h ago, down 3 h ago, up 2 h ago (all on the minute).
    const std::string digest = "sha256(convert_to('" + std::string(kUrl) + "', 'UTF8'))";
    postgres_.query(
        "CREATE TEMP TABLE t0 AS SELECT date_trunc('minute', now()) AS t0;"
        "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
        " status_code, regex_present, error, healthy, failed_conditions)"
        " SELECT " +
        digest + ", t, CASE WHEN down THEN 900000 ELSE 20000 END, '" + kUrl +
        "',"
        " CASE WHEN down THEN NULL ELSE 200 END, false,"
        " CASE WHEN down THEN 'timeout' END, NOT down,"
        " CASE WHEN down THEN ARRAY['no_response'] ELSE ARRAY[]::text[] END"
        " FROM (SELECT t, t >= t0 - interval '3 hours' AND t < t0 - interval '2 hours' AS down"
        "       FROM t0, generate_series(t0 - interval '6 hours', t0 - interval '1 minute',"
        "                                interval '10 minutes') AS t) AS rows;" +
        test::record_like_the_consumer_sql("checks") +
        ";INSERT INTO site_events (url_digest, at, url, from_state, to_state, since,"
        " previous_duration_s, failed_conditions, error, error_detail, status_code, producer)"
        " SELECT " +
        digest + ", t0 - interval '6 hours', '" + kUrl +
        "', 'unknown', 'up', NULL,"
        " NULL, NULL::text[], NULL, NULL, NULL::int, 'test' FROM t0"
        " UNION ALL SELECT " +
        digest + ", t0 - interval '3 hours', '" + kUrl +
        "', 'up', 'down',"
        " t0 - interval '6 hours', 10800, ARRAY['no_response'], 'timeout',"
        " '<b>Operation timed out</b>', NULL, 'test' FROM t0"
        " UNION ALL SELECT " +
        digest + ", t0 - interval '2 hours', '" + kUrl +
        "', 'down', 'up',"
        " t0 - interval '3 hours', 3600, NULL, NULL, NULL, NULL, 'test' FROM t0");
    const int port = test::unused_loopback_port();
    test::ChildProcess::Options options;
    options.stdout_file = dir_.path() / "serve.log";
    options.stderr_file = options.stdout_file;
    serve_ = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "serve", "-c", config.string(),
                                 "--listen", "127.0.0.1:" + std::to_string(port)},
        options);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_connection_timeout(1);
    client_->set_read_timeout(20);
    ASSERT_TRUE(test::eventually(
        [&] {
          auto response = client_->Get("/healthz");
          return response && response->status == 200;
        },
        seconds(20)));
  }
  void TearDown() override {
    serve_->send_signal(SIGTERM);
    EXPECT_EQ(serve_->wait_for_exit(seconds(10)), 0);
  }

  test::TempPostgres postgres_;
  test::TempDir dir_;
  std::unique_ptr<test::ChildProcess> serve_;
  std::unique_ptr<httplib::Client> client_;
};

std::size_t count_of(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<std::size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST_F(SitePageE2E, TheOverviewLinksToThePageWhichShowsCardsChartAndTheOneIncident) {
  auto overview = client_->Get("/");
  ASSERT_TRUE(overview);
  ASSERT_EQ(overview->status, 200) << overview->body;
  std::smatch link;
  ASSERT_TRUE(
      std::regex_search(overview->body, link, std::regex(R"re(href="(/sites/[0-9a-f]{64})")re")))
      << overview->body;
  EXPECT_EQ(link[1].str(), "/sites/" + url_digest(kUrl));

  auto page = client_->Get(link[1].str() + "?since=24h");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const std::string& html = page->body;
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  // The URL's token is redacted (redact_query_params' default), in the page and its links.
  EXPECT_EQ(html.find("s3cret"), std::string::npos);
  EXPECT_NE(html.find("token=REDACTED"), std::string::npos) << html.substr(0, 3000);
  // Cards: up since 2 h ago, 36 checks of which 6 failed, one outage of 1 h.
  EXPECT_NE(html.find(R"(<strong class="value up">up</strong><span class="detail">since)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("30 of 36 checks up"), std::string::npos) << html;
  EXPECT_NE(html.find(R"(<strong class="value down">1</strong><span class="detail">downtime 1 h<)"),
            std::string::npos)
      << html;
  // p50 among the 20 ms checks, p95 among the 900 ms ones (each within its histogram bucket).
  std::smatch latency;
  ASSERT_TRUE(std::regex_search(html, latency, std::regex(R"(>(\d+) ms / (\d+) ms<)"))) << html;
  EXPECT_GE(std::stoi(latency[1]), 20);
  EXPECT_LT(std::stoi(latency[1]), 26);
  EXPECT_GT(std::stoi(latency[2]), 790);
  EXPECT_LE(std::stoi(latency[2]), 900);
  // The chart: both lines, the incident shaded, the failed hours shaded lighter.
  EXPECT_EQ(count_of(html, R"(<path class="p95")"), 1u);
  EXPECT_EQ(count_of(html, R"(<path class="p50")"), 1u);
  EXPECT_EQ(count_of(html, R"(<rect class="down")"), 1u);
  EXPECT_GE(count_of(html, R"(<rect class="failing")"), 1u);
  std::smatch chart;
  ASSERT_TRUE(std::regex_search(html, chart, std::regex(R"(<svg class="chart"[\s\S]*?</svg>)")));
  EXPECT_EQ(serve::xml_error(chart.str()), "");
  // The incident: 1 h, its cause escaped, ended (not ongoing).
  EXPECT_EQ(count_of(html, R"(<tr class="incident">)"), 1u);
  EXPECT_NE(html.find("<td class=\"num\">1 h</td>"), std::string::npos);
  EXPECT_NE(html.find("timeout: &lt;b&gt;Operation timed out&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find(">no_response</td>"), std::string::npos);
  EXPECT_EQ(html.find("ongoing</strong>"), std::string::npos);

  // By its exact URL, percent-encoded, the same site.
  auto by_url = client_->Get("/sites/https%3A%2F%2Fa.example%2Fhealth%3Ftoken%3Ds3cret");
  ASSERT_TRUE(by_url);
  EXPECT_EQ(by_url->status, 200);
  EXPECT_EQ(by_url->body.find("s3cret"), std::string::npos);

  auto unknown = client_->Get("/sites/https%3A%2F%2Fnot.example%2F");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto bad = client_->Get(link[1].str() + "?since=1y");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(SitePageE2E, BadgesAreCacheableSvgAndAnUnknownSiteIsAGreyBadge) {
  const std::string base = "/badges/" + url_digest(kUrl);
  struct Expected {
    std::string path;
    std::string title;
  };
  for (const Expected& expected : std::vector<Expected>{
           {base + "/status.svg", "status: up"},
           {base + "/uptime/24h.svg", "uptime 24h: 83.33%"},
           {base + "/response-time/24h.svg", "response time 24h: "},
           {base + "/response-time/7d.svg", "response time 7d: "},
           {"/badges/https%3A%2F%2Fnot.example%2F/status.svg", "status: unknown"},
           {"/badges/https%3A%2F%2Fnot.example%2F/uptime/30d.svg", "uptime 30d: unknown"}}) {
    auto response = client_->Get(expected.path);
    ASSERT_TRUE(response) << expected.path;
    EXPECT_EQ(response->status, 200) << expected.path;
    EXPECT_EQ(response->get_header_value("Content-Type"), "image/svg+xml") << expected.path;
    EXPECT_EQ(response->get_header_value_count("Cache-Control"), 1u) << expected.path;
    EXPECT_EQ(response->get_header_value("Cache-Control"), "max-age=60") << expected.path;
    EXPECT_NE(response->body.find("<title>" + expected.title), std::string::npos)
        << expected.path << ": " << response->body;
    EXPECT_EQ(serve::xml_error(response->body), "") << expected.path;
  }
  auto wrong_window = client_->Get(base + "/uptime/90d.svg");
  ASSERT_TRUE(wrong_window);
  EXPECT_EQ(wrong_window->status, 404);
  // The page itself stays uncached.
  auto page = client_->Get("/sites/" + url_digest(kUrl));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");
}

}  // namespace
}  // namespace hc
