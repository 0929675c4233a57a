// End to end: `hc --producer` against hc-devbroker and three local sites for a few seconds,
// then a test consumer reads the topic and checks what was published.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "hc/common/message.h"
#include "hc/common/url_digest.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_http_server.h"
#include "hc/test/support.h"
#include "producer_run.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Every measurement on the "healthcheck" topic, by URL. Records come partition by partition
// and one key always goes to one partition, so each site's list is in publishing order. A
// record that does not decode, or whose key is not its URL, fails the test.
std::map<std::string, std::vector<Measurement>> published_by_url(const test::DevBroker& broker) {
  std::map<std::string, std::vector<Measurement>> by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    if (!std::holds_alternative<Measurement>(decoded)) {
      ADD_FAILURE() << std::get<Poison>(decoded).detail << ": " << record.value;
      continue;
    }
    Measurement measurement = std::get<Measurement>(std::move(decoded));
    EXPECT_EQ(record.key, measurement.url);
    by_url[measurement.url].push_back(std::move(measurement));
  }
  return by_url;
}

// Measurements of one site at a 1 s interval are one interval apart: no drift, no doubles.
void expect_one_second_apart(const std::string& url, const std::vector<Measurement>& runs) {
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const auto gap = runs[i].measured_at - runs[i - 1].measured_at;
    EXPECT_GT(gap, milliseconds(700)) << url << " run " << i;
    EXPECT_LT(gap, milliseconds(1300)) << url << " run " << i;
  }
}

// A producer config checking `urls` every second, with `settings` (YAML lines) added.
void write_sites(const std::filesystem::path& file, const std::vector<std::string>& urls,
                 const std::string& settings = "") {
  std::ofstream out(file);
  out << "healthcheck-producer-config:\n"
         "  bootstrap_servers: [ !ENV \"${KAFKA_BOOTSTRAP_SERVER}\" ]\n"
      << settings
      << "  defaults: { polling_interval_in_seconds: 1, timeout_ms: 1000, "
         "destination_topic: healthcheck }\n"
         "  websites:\n";
  for (const auto& url : urls) out << "    - url: " << url << "\n";
}

TEST(ProducerEndToEnd, PublishesOneMeasurementPerCheckKeyedByUrl) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get("/ok", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("<h1>Example Domain</h1>", "text/html");
  });
  web.server().Get("/fail", [](const httplib::Request&, httplib::Response& response) {
    response.status = 500;
    response.set_content("internal error", "text/plain");
  });
  web.start();
  const std::string ok_url = web.url("/ok");
  const std::string fail_url = web.url("/fail");
  const std::string refused_url =
      "http://127.0.0.1:" + std::to_string(test::unused_loopback_port()) + "/";

  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  defaults:
    polling_interval_in_seconds: 1
    timeout_ms: 2000
    destination_topic: healthcheck
  websites:
    - url: )" << ok_url << R"(
      regex: "Example\\s+Domain"
    - url: )" << fail_url << R"(
      regex: "Example"
    - url: )" << refused_url << "\n";

  const ProducerRun run = run_producer_for(broker, config_file, seconds(4));
  ASSERT_TRUE(run.exit_code.has_value()) << "hc did not stop after SIGTERM; log:\n" << run.log;
  ASSERT_EQ(*run.exit_code, 0) << run.log;

  std::map<std::string, std::vector<Measurement>> by_url = published_by_url(broker);

  // Interval 1 s: one first run within the first second, then one per second.
  const auto max_runs = std::chrono::duration_cast<seconds>(run.length).count() + 1;
  ASSERT_EQ(by_url.size(), 3u) << run.log;
  for (const auto& [url, measurements] : by_url) {
    EXPECT_GE(measurements.size(), 3u) << url;
    EXPECT_LE(measurements.size(), static_cast<std::size_t>(max_runs)) << url;
    for (const Measurement& measurement : measurements) {
      EXPECT_EQ(measurement.url_digest, url_digest(url));
      EXPECT_FALSE(measurement.producer.empty());
      // How late the loop may have been for the check: always said, never negative.
      ASSERT_TRUE(measurement.loop_lag_us.has_value()) << url;
      EXPECT_GE(*measurement.loop_lag_us, 0) << url;
    }
  }
  for (const Measurement& ok : by_url[ok_url]) {
    EXPECT_EQ(ok.status_code, 200);
    EXPECT_FALSE(ok.error.has_value()) << ok.error_detail;
    EXPECT_EQ(ok.regex, "Example\\s+Domain");
    EXPECT_EQ(ok.regex_match, true);
    EXPECT_EQ(ok.body_bytes, 23);
    EXPECT_TRUE(ok.timings.connect_us.has_value());
  }
  for (const Measurement& fail : by_url[fail_url]) {
    EXPECT_EQ(fail.status_code, 500);
    EXPECT_EQ(fail.error, "unexpected_status");
    EXPECT_EQ(fail.error_detail, "HTTP 500");
    EXPECT_EQ(fail.regex_match, false);
  }
  for (const Measurement& refused : by_url[refused_url]) {
    EXPECT_FALSE(refused.status_code.has_value());
    EXPECT_EQ(refused.error, "connect");
    EXPECT_FALSE(refused.regex_match.has_value());
  }
  expect_one_second_apart(ok_url, by_url[ok_url]);
}

// Conditions through the real path: local pages, the producer binary, the topic read back.
// A healthy page far larger than max_body_bytes is up when no regex asks for its body, and a
// regex past the kept prefix fails without making the page an error.
TEST(ProducerEndToEnd, EachConditionDecidesTheVerdictAndLargePagesAreNotErrors) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  const std::string big_page = std::string(3 << 20, 'x') + "FOOTER";  // 3 MiB + a marker
  web.server().Get("/big", [&big_page](const httplib::Request&, httplib::Response& response) {
    response.set_content(big_page, "text/html");
  });
  web.server().Get("/json", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", "application/json");
  });
  web.server().Get("/created", [](const httplib::Request&, httplib::Response& response) {
    response.status = 201;
    response.set_content("made", "text/plain");
  });
  web.server().Get("/sluggish", [](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(milliseconds(300));
    response.set_content("late but fine", "text/plain");
  });
  web.start();
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  const std::string big = web.url("/big");
  const std::string big_regex = web.url("/big?regex");
  const std::string json_ok = web.url("/json");
  const std::string json_wrong = web.url("/json?wrong-type");
  const std::string created = web.url("/created");
  const std::string created_unexpected = web.url("/created?not-in-range");
  const std::string sluggish = web.url("/sluggish");
  const std::string absent = web.url("/json?absent");
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  defaults: { polling_interval_in_seconds: 1, timeout_ms: 3000, destination_topic: healthcheck,
              max_body_bytes: 65536 }
  websites:
    - url: )" << big << R"(
      min_body_bytes: 3145728
    - url: )" << big_regex << R"(
      regex: FOOTER
    - url: )" << json_ok << R"(
      headers_match: {content-type: "^application/json$"}
      regex: '"status":"ok"'
    - url: )" << json_wrong << R"(
      headers_match: {Content-Type: "^text/html"}
    - url: )" << created << R"(
      expected_status: [200-204]
    - url: )" << created_unexpected
                             << R"(
      expected_status: [200, 300-399]
    - url: )" << sluggish << R"(
      max_response_time_ms: 100
    - url: )" << absent << R"(
      regex_absent: '"status":"ok"'
)";
  const ProducerRun run = run_producer_for(broker, config_file, seconds(3));
  ASSERT_EQ(run.exit_code, 0) << run.log;

  // The verdict as published (raw JSON: the fields every consumer sees).
  std::map<std::string, std::vector<nlohmann::json>> by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    by_url[record.key].push_back(nlohmann::json::parse(record.value));
  }
  struct Expected {
    bool healthy;
    std::vector<std::string> failed;
    nlohmann::json error;
  };
  const std::map<std::string, Expected> expected = {
      {big, {true, {}, nullptr}},
      {big_regex, {false, {"regex"}, nullptr}},
      {json_ok, {true, {}, nullptr}},
      {json_wrong, {false, {"header:Content-Type"}, nullptr}},
      {created, {true, {}, nullptr}},
      {created_unexpected, {false, {"status"}, "unexpected_status"}},
      {sluggish, {false, {"response_time"}, nullptr}},
      {absent, {false, {"regex_absent"}, nullptr}},
  };
  ASSERT_EQ(by_url.size(), expected.size()) << run.log;
  for (const auto& [url, want] : expected) {
    ASSERT_FALSE(by_url[url].empty()) << url;
    for (const nlohmann::json& message : by_url[url]) {
      EXPECT_EQ(message["healthy"], want.healthy) << url << ": " << message.dump();
      EXPECT_EQ(message["failed_conditions"], nlohmann::json(want.failed)) << url;
      EXPECT_EQ(message["error"], want.error) << url << ": " << message.dump();
    }
  }
  for (const nlohmann::json& message : by_url[big]) {
    EXPECT_EQ(message["body_bytes"], big_page.size());  // read to the end, not buffered
    EXPECT_EQ(message["body_truncated"], false);        // nothing was kept, nothing cut
    EXPECT_TRUE(message["regex_match"].is_null());
  }
  for (const nlohmann::json& message : by_url[big_regex]) {
    EXPECT_EQ(message["body_bytes"], big_page.size());
    EXPECT_EQ(message["body_truncated"], true);
    EXPECT_EQ(message["regex_match"], false);  // the marker lies past the 64 KiB searched
    EXPECT_EQ(message["status_code"], 200);
  }
}

// SIGTERM with a check that would take a minute: it gets shutdown_grace_ms, then is cancelled
// (counted, not published), and the process exits 0 well inside systemd's 30 s.
TEST(ProducerEndToEnd, StopCancelsChecksStillInFlightAfterTheGracePeriod) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get("/minute", [&web](const httplib::Request&, httplib::Response& response) {
    web.hold(seconds(60));
    response.set_content("too late", "text/plain");
  });
  web.server().Get("/ok", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  const std::string minute = web.url("/minute");
  const std::string ok = web.url("/ok");
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  shutdown_grace_ms: 1000
  defaults: { polling_interval_in_seconds: 1, timeout_ms: 120000, destination_topic: healthcheck }
  websites:
    - url: )" << minute << R"(
    - url: )" << ok << "\n";
  const ProducerRun run = run_producer_for(broker, config_file, seconds(3));
  ASSERT_TRUE(run.exit_code.has_value()) << "hc did not stop within 15 s of SIGTERM:\n" << run.log;
  EXPECT_EQ(*run.exit_code, 0) << run.log;
  EXPECT_NE(run.log.find("checks in flight get 1000 ms to finish"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("cancelled 1,"), std::string::npos) << run.log;
  const auto by_url = published_by_url(broker);
  EXPECT_FALSE(by_url.contains(minute)) << "a cancelled check was published";
  ASSERT_TRUE(by_url.contains(ok)) << run.log;
  EXPECT_GE(by_url.at(ok).size(), 2u);
}

// Sites split over three check threads: each site is still checked once per interval, by
// one thread, and its messages arrive in the order they were measured.
TEST(ProducerEndToEnd, SitesSplitOverCheckThreadsKeepTheirIntervalAndOrder) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get(R"(/site/(\d+))", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  constexpr int kSites = 12;
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::vector<std::string> urls;
  urls.reserve(kSites);
  for (int i = 0; i < kSites; ++i) urls.push_back(web.url("/site/" + std::to_string(i)));
  write_sites(config_file, urls, "  check_threads: 3\n");
  const ProducerRun run = run_producer_for(broker, config_file, seconds(4));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_NE(run.log.find("checking 12 sites on 3 check threads"), std::string::npos) << run.log;

  // Each site's measurements in the order they were published.
  const auto runs = published_by_url(broker);
  const auto max_runs = std::chrono::duration_cast<seconds>(run.length).count() + 1;
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kSites)) << run.log;
  for (const auto& [url, measured] : runs) {
    EXPECT_GE(measured.size(), 3u) << url;
    EXPECT_LE(measured.size(), static_cast<std::size_t>(max_runs)) << url;
    expect_one_second_apart(url, measured);
  }
}

TEST(ProducerEndToEnd, SighupReloadsTheSiteListAndSurvivesAnInvalidFile) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  web.server().Get(R"(/site/(\w+))", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  web.start();
  const std::string first = web.url("/site/first");
  const std::string second = web.url("/site/second");

  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  const auto log_file = dir.path() / "hc.log";
  write_sites(config_file, {first});
  // How many checks of `url` the topic holds so far (a short read: the topic is live).
  auto checks_of = [&broker](const std::string& url) {
    std::size_t checks = 0;
    for (const auto& record :
         test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, milliseconds(500))) {
      checks += record.key == url ? 1 : 0;
    }
    return checks;
  };
  test::ChildProcess hc = start_producer(broker, config_file);
  ASSERT_TRUE(test::eventually(
      [&] { return read_file(log_file).find("checking 1 sites") != std::string::npos; },
      seconds(10)))
      << read_file(log_file);

  ASSERT_TRUE(test::eventually(
      [&] {
        return !test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1, milliseconds(500))
                    .empty();
      },
      seconds(10)))
      << "the first site was never published:\n"
      << read_file(log_file);

  // Replace the site: the new one is checked, the old one no more.
  write_sites(config_file, {second});
  hc.send_signal(SIGHUP);
  ASSERT_TRUE(test::eventually(
      [&] { return read_file(log_file).find("SIGHUP: reloading") != std::string::npos; },
      seconds(10)));
  std::size_t second_checks = 0;
  ASSERT_TRUE(test::eventually(
      [&] {
        second_checks = checks_of(second);
        return second_checks >= 2;
      },
      seconds(15)))
      << "the new site was not checked after the reload:\n"
      << read_file(log_file);

  // An invalid file is reported and the current sites keep running.
  std::ofstream(config_file) << "healthcheck-producer-config:\n  websites:\n    - url: ftp://x\n";
  hc.send_signal(SIGHUP);
  ASSERT_TRUE(test::eventually(
      [&] { return read_file(log_file).find("reload failed") != std::string::npos; }, seconds(10)))
      << read_file(log_file);
  const std::string log_after_invalid = read_file(log_file);
  EXPECT_NE(log_after_invalid.find("config.yaml:"), std::string::npos)
      << "each config error is logged with its position:\n"
      << log_after_invalid;
  // ... and the producer goes on checking the current site.
  ASSERT_TRUE(test::eventually([&] { return checks_of(second) >= second_checks + 2; }, seconds(15)))
      << read_file(log_file);
  ASSERT_TRUE(hc.running()) << read_file(log_file);
  hc.send_signal(SIGTERM);
  ASSERT_EQ(hc.wait_for_exit(seconds(15)), 0) << read_file(log_file);

  auto runs = published_by_url(broker);
  ASSERT_FALSE(runs[first].empty());
  ASSERT_GE(runs[second].size(), 4u) << "the new site ran before and after the invalid reload";
  EXPECT_LE(runs[first].back().measured_at, runs[second].front().measured_at)
      << "the removed site stopped once the new list applied";
}

}  // namespace
}  // namespace hc
