// The whole pipeline: local sites <- hc --producer -> hc-devbroker -> hc --consumer -> PostgreSQL.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "consumer_e2e_fixture.h"
#include "hc/test/local_http_server.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

TEST(Pipeline, RowsPerSiteEqualTheMessagesTheProducerPublished) {
  test::DevBroker broker({{"healthcheck", 4}, {"healthcheck.dlq", 4}});
  test::TempPostgres postgres;
  test::LocalHttpServer web;
  web.server().Get("/up", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("<h1>Example Domain</h1>", "text/html");
  });
  web.server().Get("/down", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content("internal error", "text/plain");
  });
  web.start();
  const std::string up = web.url("/up");
  const std::string down = web.url("/down");

  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  defaults:\n"
                        << "    polling_interval_in_seconds: 1\n"
                        << "    timeout_ms: 2000\n"
                        << "    destination_topic: healthcheck\n"
                        << "  websites:\n"
                        << "    - url: " << up << "\n"
                        << "      regex: \"Example\\\\s+Domain\"\n"
                        << "    - url: " << down << "\n"
                        << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  group_id: pipeline\n"
                        << "  batch_max_wait_ms: 50\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: healthcheck\n";
  test::ChildProcess consumer = test::start_hc("--consumer", config, "consumer");
  test::ChildProcess producer = test::start_hc("--producer", config, "producer");
  std::this_thread::sleep_for(seconds(5));  // the producer's run length, not a synchronisation
  producer.send_signal(SIGTERM);
  ASSERT_EQ(producer.wait_for_exit(seconds(20)), 0);

  std::map<std::string, long> published;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(5))) {
    ++published[record.key];
  }
  ASSERT_EQ(published.size(), 2u);
  ASSERT_GE(published[up], 3);
  auto stored = [&] {
    std::map<std::string, long> rows;
    std::istringstream lines(
        postgres.query("SELECT uri, count(*) FROM healthcheck GROUP BY uri ORDER BY uri"));
    std::string line;
    while (std::getline(lines, line)) {
      auto bar = line.find('|');
      rows[line.substr(0, bar)] = std::stol(line.substr(bar + 1));
    }
    return rows;
  };
  EXPECT_TRUE(test::eventually(
      [&] {
        try {
          return stored() == published;
        } catch (const std::exception&) {
          return false;  // the table may not exist yet
        }
      },
      seconds(60)));
  EXPECT_EQ(stored(), published);
  EXPECT_EQ(postgres.query("SELECT DISTINCT status_code::text || ' ' || regex_present || ' ' ||"
                           " regex_match || ' ' || (error IS NULL) FROM healthcheck WHERE uri = '" +
                           up + "'"),
            "200 true true true");
  EXPECT_EQ(postgres.query("SELECT DISTINCT status_code::text || ' ' || regex_present FROM "
                           "healthcheck WHERE uri = '" +
                           down + "'"),
            "500 false");
  consumer.send_signal(SIGTERM);
  EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0);
}

}  // namespace
}  // namespace hc::e2e
