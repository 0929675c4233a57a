// `hc serve` as a built binary: it refuses addresses beyond loopback unless told, needs the
// consumer section, pages the overview of a real PostgreSQL, and stops cleanly (exit 0) on
// SIGTERM and SIGINT.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "hc/test/support.h"

namespace hc {
namespace {

TEST(ServeCommand, ANonLoopbackAddressIsRefusedWithoutAllowRemote) {
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, "postgresql://postgres@127.0.0.1:9/postgres");
  auto result = test::run_command(
      {test::hc_binary().string(), "serve", "-c", config.string(), "--listen", "0.0.0.0:0"},
      std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("not a loopback address"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--allow-remote"), std::string::npos) << result.output;
}

TEST(ServeCommand, WithoutAConsumerSectionThereIsNothingToServe) {
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  defaults: {destination_topic: healthcheck}\n"
                        << "  websites:\n"
                        << "    - url: http://127.0.0.1:9/\n";
  auto result = test::run_command({test::hc_binary().string(), "serve", "-c", config.string()},
                                  std::chrono::seconds(20));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no healthcheck-consumer-config section"), std::string::npos)
      << result.output;
}

TEST(ServeCommand, ServesUntilSigtermOrSigintThenExitsZero) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(
      test::run_command({test::hc_binary().string(), "migrate", "-c", config.string()}).exit_code,
      0);
  for (const int signal_number : {SIGTERM, SIGINT}) {
    const int port = test::unused_loopback_port();
    test::ChildProcess serve = test::start_serve(config, dir, port);
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    ASSERT_TRUE(test::eventually(
        [&] {
          auto response = client.Get("/api/v1/status");
          return response && response->status == 200;
        },
        std::chrono::seconds(20)));
    serve.send_signal(signal_number);
    EXPECT_EQ(serve.wait_for_exit(std::chrono::seconds(10)), 0) << signal_number;
    EXPECT_FALSE(client.Get("/api/v1/status")) << "still answering after the signal";
  }
}

// Requests one after another share one database connection (kept between them), and a
// restart of the database between two requests costs nothing but a reconnect: the stale
// connection is noticed before use, never answered 503.
TEST(ServeCommand, KeepsItsDatabaseConnectionBetweenRequestsAndSurvivesARestart) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(
      test::run_command({test::hc_binary().string(), "migrate", "-c", config.string()}).exit_code,
      0);
  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, port);
  httplib::Client client("127.0.0.1", port);
  const auto status_of = [&](const std::string& path) {
    auto response = client.Get(path);
    return response ? response->status : 0;
  };
  ASSERT_TRUE(test::eventually([&] { return status_of("/") == 200; }, std::chrono::seconds(20)));
  const std::string clients =
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
      " AND pid <> pg_backend_pid()";
  const std::string backends =
      "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity WHERE backend_type ="
      " 'client backend' AND pid <> pg_backend_pid()";
  const std::string before = postgres.query(backends);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(status_of(i % 2 == 0 ? "/" : "/api/v1/status"), 200) << i;
  }
  EXPECT_EQ(postgres.query(clients), "1");
  EXPECT_EQ(postgres.query(backends), before) << "the connection was not kept";

  postgres.stop_server();
  postgres.start_server();
  EXPECT_EQ(status_of("/api/v1/status"), 200) << test::read_file(dir.path() / "serve.log");
  EXPECT_EQ(status_of("/"), 200);
}

// SQL writing one measurement of `url` into `table` 10 minutes before 2026-11-26T00:00Z, up
// (healthy) or down (a timeout).
std::string measurement_sql(const std::string& table, const std::string& url, bool up) {
  return "INSERT INTO " + table +
         " (url_digest, measurement_time, response_time_microseconds, uri, status_code,"
         " regex_present, error, healthy) VALUES (sha256(convert_to('" +
         url + "', 'UTF8')), '2026-11-25T23:50:00Z', 1000, '" + url + "', " +
         (up ? "200, false, NULL, true" : "NULL, false, 'timeout', false") + ");";
}

TEST(ServeCommand, PagesOfTwoSitesCoverEverySiteOnceInOrderWithTheTotalsOfAll) {
  test::TempPostgres postgres;
  test::TempDir dir;
  // Two tables, "zeta" configured first: the list is by table in configuration order, then URL.
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: zeta\n"
                        << "    - source_topic: other\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: alpha\n";
  auto migrated = test::run_hc({"migrate", "-c", config.string()});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  postgres.query(measurement_sql("zeta", "https://c.example/", false) +
                 measurement_sql("zeta", "https://a.example/", true) +
                 measurement_sql("zeta", "https://b.example/", true) +
                 measurement_sql("alpha", "https://d.example/", true) +
                 measurement_sql("alpha", "https://a.example/", false) +
                 test::record_like_the_consumer_sql("zeta") + ";" +
                 test::record_like_the_consumer_sql("alpha"));
  const std::vector<std::pair<std::string, std::string>> every_site = {
      {"zeta", "https://a.example/"},
      {"zeta", "https://b.example/"},
      {"zeta", "https://c.example/"},
      {"alpha", "https://a.example/"},
      {"alpha", "https://d.example/"}};

  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, port);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(20);
  ASSERT_TRUE(test::eventually(
      [&] {
        auto response = client.Get("/api/v1/status");
        return response && response->status == 200;
      },
      std::chrono::seconds(20)));

  // Follow `next` from the first page of two.
  std::vector<std::pair<std::string, std::string>> listed;
  std::vector<std::size_t> offsets;
  std::string target = "/api/v1/status?limit=2";
  for (int pages = 0; pages < 10 && !target.empty(); ++pages) {
    auto response = client.Get(target);
    ASSERT_TRUE(response) << target;
    ASSERT_EQ(response->status, 200) << target << ": " << response->body;
    const auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["total_sites"], 5) << target;
    EXPECT_EQ(body["up_sites"], 3) << target;
    EXPECT_EQ(body["down_sites"], 2) << target;
    EXPECT_EQ(body["limit"], 2) << target;
    EXPECT_LE(body["sites"].size(), 2u) << target;
    offsets.push_back(body["offset"].get<std::size_t>());
    for (const auto& site : body["sites"]) listed.emplace_back(site["table"], site["url"]);
    target = body["next"].is_null() ? "" : body["next"].get<std::string>();
  }
  EXPECT_EQ(listed, every_site);
  EXPECT_EQ(offsets, (std::vector<std::size_t>{0, 2, 4}));

  // The page: totals of all sites, the range, and a Next link to the following page.
  auto first = client.Get("/?limit=2");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_NE(first->body.find("<title>hc status: 3 up, 2 down</title>"), std::string::npos);
  EXPECT_NE(first->body.find("sites 1–2 of 5"), std::string::npos);
  EXPECT_NE(first->body.find(R"(<a rel="next" href="/?offset=2&amp;limit=2">Next</a>)"),
            std::string::npos)
      << first->body;
  auto last = client.Get("/?offset=4&limit=2");
  ASSERT_TRUE(last);
  ASSERT_EQ(last->status, 200) << last->body;
  EXPECT_NE(last->body.find(R"(data-url="https://d.example/")"), std::string::npos);
  EXPECT_EQ(last->body.find(R"(data-url="https://a.example/")"), std::string::npos);
  EXPECT_EQ(last->body.find(R"(rel="next")"), std::string::npos);
  auto past = client.Get("/api/v1/status?offset=5&limit=2");
  ASSERT_TRUE(past);
  ASSERT_EQ(past->status, 200) << past->body;
  EXPECT_EQ(nlohmann::json::parse(past->body)["sites"], nlohmann::json::array());
  EXPECT_EQ(nlohmann::json::parse(past->body)["total_sites"], 5);
  auto bad = client.Get("/?limit=0");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  serve.send_signal(SIGTERM);
  EXPECT_EQ(serve.wait_for_exit(std::chrono::seconds(10)), 0);
}

// `hc serve` (and `hc status`) read through read_connection_uri: a role with only the GRANTs the
// README lists (CONNECT, USAGE on the schema, SELECT on the tables) serves the page, the API
// and the history, while connection_uri names a role that does not even exist.
TEST(ServeCommand, ARoleWithOnlySelectServesThroughReadConnectionUri) {
  test::TempPostgres postgres;
  test::TempDir dir;
  const auto writer_config = test::write_checks_config(dir, postgres.uri());
  ASSERT_EQ(test::run_hc({"migrate", "-c", writer_config.string()}).exit_code, 0);
  postgres.query(measurement_sql("checks", "https://a.example/", true) +
                 test::record_like_the_consumer_sql("checks"));
  postgres.query(
      "CREATE ROLE hc_reader LOGIN; GRANT CONNECT ON DATABASE postgres TO hc_reader;"
      " GRANT USAGE ON SCHEMA public TO hc_reader;"
      " GRANT SELECT ON ALL TABLES IN SCHEMA public TO hc_reader;");
  const std::string port = std::to_string(postgres.port());
  const auto config = dir.path() / "reader.yaml";
  std::ofstream(config) << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"postgresql://no_such_role@127.0.0.1:" << port
                        << "/postgres\"\n"
                        << "      read_connection_uri: \"postgresql://hc_reader@127.0.0.1:" << port
                        << "/postgres\"\n"
                        << "      table_name: checks\n";
  // The reader may read, nothing more.
  auto denied = test::run_command({"psql", "-XAtq", "-h", "127.0.0.1", "-p", port, "-U",
                                   "hc_reader", "-d", "postgres", "-c", "DELETE FROM checks"});
  EXPECT_NE(denied.output.find("permission denied"), std::string::npos) << denied.output;

  auto status = test::run_hc({"status", "-c", config.string()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("https://a.example/"), std::string::npos) << status.output;

  const int serve_port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, serve_port);
  httplib::Client client("127.0.0.1", serve_port);
  client.set_connection_timeout(1);
  client.set_read_timeout(20);
  std::string page;
  ASSERT_TRUE(test::eventually(
      [&] {
        auto response = client.Get("/");
        if (response) page = response->body;
        return response && response->status == 200;
      },
      std::chrono::seconds(20)))
      << page;
  EXPECT_NE(page.find("https://a.example/"), std::string::npos) << page;
  auto api = client.Get("/api/v1/status");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200) << api->body;
  auto history = client.Get("/api/v1/sites/https%3A%2F%2Fa.example%2F/history?since=30d&step=day");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->status, 200) << history->body;
  serve.send_signal(SIGTERM);
  EXPECT_EQ(serve.wait_for_exit(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace hc
