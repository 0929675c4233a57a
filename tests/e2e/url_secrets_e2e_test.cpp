// Secrets in site URLs, through the real binaries: a token in a query string (default names in
// any case, AWS signed-URL parts, and a name configured in the consumer section only) is
// published exactly in the Kafka key and the table, and shown nowhere else: not in the
// producer's or consumer's logs and metrics, `hc status` (table and JSON), the status page,
// /api/v1/status, the history JSON, `hc serve`'s log, or check-config's error for a bad URL.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <regex>
#include <set>

#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kSecrets = {"T0KENSECRET1", "AMZSIGSECRET2", "AMZCREDSECRET3",
                                           "SESSIONSECRET4", "CODESECRET5"};

void expect_no_secret(const std::string& where, const std::string& text) {
  for (const std::string& secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << where << ":\n" << text;
  }
}

std::string http_get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(20);
  auto response = client.Get(path);
  if (!response) return "(no response)";
  return std::to_string(response->status) + "\n" + response->body;
}

TEST(UrlSecrets, AConfiguredSecretIsPublishedExactlyAndShownNowhere) {
  test::DevBroker broker({{"healthcheck", 2}, {"healthcheck.dlq", 2}});
  test::TempPostgres postgres;
  test::LocalHttpServer web;
  web.server().Get("/s", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  const std::string token_url = web.url("/s") +
                                "?Access_Token=T0KENSECRET1&X-Amz-Signature=AMZSIGSECRET2" +
                                "&X-Amz-Credential=AMZCREDSECRET3&page=1";
  const std::string session_url = web.url("/s") + "?session=SESSIONSECRET4&code=CODESECRET5";

  test::TempDir dir;
  const int producer_port = test::unused_loopback_port();
  const int consumer_port = test::unused_loopback_port();
  const int serve_port = test::unused_loopback_port();
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  defaults: {polling_interval_in_seconds: 1, timeout_ms: 2000,"
                        << " destination_topic: healthcheck}\n"
                        << "  websites:\n"
                        << "    - url: \"" << token_url << "\"\n"
                        << "    - url: \"" << session_url << "\"\n"
                        << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  group_id: secrets\n"
                        << "  batch_max_wait_ms: 50\n"
                        << "  redact_query_params: [Session]\n"  // also redacted by the producer
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: checks\n";
  auto start = [&](const std::string& role, int port) {
    test::ChildProcess::Options options;
    options.stdout_file = dir.path() / (role + ".log");
    options.stderr_file = options.stdout_file;
    return std::make_unique<test::ChildProcess>(
        std::vector<std::string>{test::hc_binary().string(), "--" + role, "-c", config.string(),
                                 "--log-level", "debug", "--metrics-addr",
                                 "127.0.0.1:" + std::to_string(port)},
        options);
  };
  auto consumer = start("consumer", consumer_port);
  auto producer = start("producer", producer_port);
  auto rows_of = [&](const std::string& url) {
    try {
      return std::stol(postgres.query("SELECT count(*) FROM checks WHERE uri = '" + url + "'"));
    } catch (const std::exception&) {
      return 0L;  // the table may not exist yet
    }
  };
  // The table keeps the exact URL: it is the site's identity.
  ASSERT_TRUE(test::eventually([&] { return rows_of(token_url) >= 2 && rows_of(session_url) >= 2; },
                               seconds(60)))
      << test::read_file(dir.path() / "producer.log")
      << test::read_file(dir.path() / "consumer.log");
  // So does the Kafka key: every record's, read up to what the topic held at this point (the
  // first few records alone may all be one partition's, i.e. one site's, on a busy machine).
  const auto held = test::topic_record_count(broker.bootstrap_servers(), "healthcheck", 2);
  std::set<std::string> keys;
  for (const auto& record : test::read_topic(broker.bootstrap_servers(), "healthcheck", 2,
                                             static_cast<std::size_t>(held), seconds(2))) {
    keys.insert(record.key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{token_url, session_url}));

  const std::string producer_metrics = http_get(producer_port, "/metrics");
  EXPECT_NE(producer_metrics.find("X-Amz-Signature=REDACTED"), std::string::npos)
      << producer_metrics;
  expect_no_secret("producer /metrics", producer_metrics);
  expect_no_secret("consumer /metrics", http_get(consumer_port, "/metrics"));

  // hc status, as a table and as JSON: the URL redacted, not left out.
  auto status = test::run_hc({"status", "-c", config.string()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("session=REDACTED&code=REDACTED"), std::string::npos)
      << status.output;
  expect_no_secret("hc status", status.output);
  auto status_json = test::run_hc({"status", "-c", config.string(), "--format", "json"});
  EXPECT_EQ(status_json.exit_code, 0) << status_json.output;
  EXPECT_NE(status_json.output.find("X-Amz-Credential=REDACTED"), std::string::npos)
      << status_json.output;
  expect_no_secret("hc status --format json", status_json.output);

  // hc serve: the page, the JSON API, and the history the page links to.
  // At debug level, so that the HTTP server's request log is in serve.log too: it shows route
  // patterns, never the path sent (HttpServer.LogsTheRoutePatternNeverThePathSent).
  test::ChildProcess serve = test::start_serve(config, dir, serve_port, {"--log-level", "debug"});
  std::string page;
  ASSERT_TRUE(test::eventually(
      [&] {
        page = http_get(serve_port, "/");
        return page.starts_with("200\n");
      },
      seconds(20)))
      << page << test::read_file(dir.path() / "serve.log");
  EXPECT_NE(page.find("Access_Token=REDACTED"), std::string::npos) << page;
  expect_no_secret("status page", page);
  expect_no_secret("/api/v1/status", http_get(serve_port, "/api/v1/status"));
  std::smatch link;
  ASSERT_TRUE(std::regex_search(page, link, std::regex(R"(/api/v1/sites/[0-9a-f]{64}/history)")))
      << page;
  const std::string history = http_get(serve_port, link.str() + "?since=1h");
  EXPECT_TRUE(history.starts_with("200\n")) << history;
  expect_no_secret("history by digest", history);
  // Asked for by its exact URL (percent-encoded), the history still shows it redacted.
  std::string encoded;
  for (const char c : token_url) {
    encoded += std::isalnum(static_cast<unsigned char>(c)) != 0 ? std::string(1, c)
                                                                : fmt::format("%{:02X}", c);
  }
  const std::string by_url = http_get(serve_port, "/api/v1/sites/" + encoded + "/history");
  EXPECT_TRUE(by_url.starts_with("200\n")) << by_url;
  expect_no_secret("history by URL", by_url);

  // check-config quotes a bad URL with its secrets redacted.
  const auto bad_config = dir.path() / "bad.yaml";
  std::ofstream(bad_config) << "healthcheck-producer-config:\n"
                            << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                            << "  defaults: {destination_topic: healthcheck}\n"
                            << "  websites:\n"
                            << "    - url: \"http://exa mple.test/?TOKEN=T0KENSECRET1\"\n";
  auto check = test::run_hc({"check-config", "-c", bad_config.string()});
  EXPECT_EQ(check.exit_code, 2) << check.output;
  EXPECT_NE(check.output.find("TOKEN=REDACTED"), std::string::npos) << check.output;
  expect_no_secret("check-config", check.output);

  serve.send_signal(SIGTERM);
  EXPECT_EQ(serve.wait_for_exit(seconds(10)), 0);
  producer->send_signal(SIGTERM);
  EXPECT_EQ(producer->wait_for_exit(seconds(20)), 0);
  consumer->send_signal(SIGTERM);
  EXPECT_EQ(consumer->wait_for_exit(seconds(30)), 0);
  for (const char* log : {"producer.log", "consumer.log", "serve.log"}) {
    expect_no_secret(log, test::read_file(dir.path() / log));
  }
}

}  // namespace
}  // namespace hc
