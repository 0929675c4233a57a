// Hostile targets through the real path: `hc --producer` against hc-devbroker and local
// pages that try to break a promise (flaky pages and retries, redirects that would carry the
// site's headers elsewhere or down to plain http, private CAs, client certificates, SNI; a tcp
// banner of garbage, DNS servers answering garbage or cut short), read back from the topic as
// every consumer sees it (raw JSON).
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "hc/common/message.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_dns_server.h"
#include "hc/test/local_http_server.h"
#include "hc/test/local_tcp_server.h"
#include "hc/test/support.h"
#include "hc/test/test_certificates.h"
#include "producer_run.h"

namespace hc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Every message on the "healthcheck" topic as JSON, by URL (the record key), in order.
std::map<std::string, std::vector<nlohmann::json>> published_json(const test::DevBroker& broker) {
  std::map<std::string, std::vector<nlohmann::json>> by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    by_url[record.key].push_back(nlohmann::json::parse(record.value));
  }
  return by_url;
}

WallTime measured_at(const nlohmann::json& message) {
  auto decoded = decode_message(message.dump());
  if (!std::holds_alternative<Measurement>(decoded)) {
    throw std::runtime_error("not a measurement: " + message.dump());
  }
  return std::get<Measurement>(decoded).measured_at;
}

std::string scrape_metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  auto response = client.Get("/metrics");
  return response ? response->body : "";
}

// The value of the sample `name{labels}` in a Prometheus text page; -1 if absent.
double metric_value(const std::string& page, const std::string& name, const std::string& labels) {
  const std::string prefix = name + "{" + labels + "} ";
  const std::size_t at = page.find(prefix);
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + prefix.size()));
}

// Attempts that fail are retried within the interval: a page failing twice then answering is
// published once, healthy, with attempts 3; a page that always fails is published down only
// after every retry (attempts = retries + 1); a retry that could run into the next deadline
// is not made. The schedule stays exact: one measurement per interval. Metrics count retries.
TEST(ProducerHostileTargets, FailedAttemptsAreRetriedWithinTheInterval) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  std::atomic<int> flaky_hits{0};
  std::atomic<int> down_hits{0};
  std::atomic<int> tight_hits{0};
  web.server().Get("/flaky", [&flaky_hits](const httplib::Request&, httplib::Response& response) {
    const int hit = ++flaky_hits;
    response.status = hit % 3 == 0 ? 200 : 503;  // fails twice, then answers, and again
    response.set_content(hit % 3 == 0 ? "ok" : "busy", "text/plain");
  });
  web.server().Get("/down", [&down_hits](const httplib::Request&, httplib::Response& response) {
    ++down_hits;
    response.status = 500;
    response.set_content("down", "text/plain");
  });
  web.server().Get("/tight", [&tight_hits](const httplib::Request&, httplib::Response& response) {
    ++tight_hits;
    response.status = 500;
    response.set_content("down", "text/plain");
  });
  web.start();
  const std::string flaky = web.url("/flaky");
  const std::string down = web.url("/down");
  const std::string tight = web.url("/tight");
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  // tight: 300 ms delay + 800 ms timeout cannot fit in a 1 s interval, so it never retries.
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  defaults: { polling_interval_in_seconds: 1, timeout_ms: 200, destination_topic: healthcheck,
              retries: 2, retry_delay_ms: 50 }
  websites:
    - url: )" << flaky << R"(
    - url: )" << down << R"(
    - url: )" << tight << R"(
      retries: 3
      retry_delay_ms: 300
      timeout_ms: 800
)";
  const int metrics_port = test::unused_loopback_port();
  test::ChildProcess hc = start_producer(
      broker, config_file, {"--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port)});
  const auto started = std::chrono::steady_clock::now();
  // Run until every site has published two checks (each with all its attempts).
  auto published_at_least_twice = [&] {
    std::map<std::string, int> checks;
    for (const auto& record :
         test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, milliseconds(300))) {
      ++checks[record.key];
    }
    return checks[flaky] >= 2 && checks[down] >= 2 && checks[tight] >= 2;
  };
  ASSERT_TRUE(test::eventually(published_at_least_twice, seconds(30)));
  const std::string metrics = scrape_metrics(metrics_port);
  const ProducerRun run = stop_producer(hc, config_file, started);
  ASSERT_EQ(run.exit_code, 0) << run.log;

  auto by_url = published_json(broker);
  const auto& flaky_messages = by_url[flaky];
  ASSERT_GE(flaky_messages.size(), 2u) << run.log;
  for (const nlohmann::json& message : flaky_messages) {
    EXPECT_EQ(message["attempts"], 3) << message.dump();
    EXPECT_EQ(message["healthy"], true) << message.dump();
    EXPECT_EQ(message["status_code"], 200) << message.dump();  // the final attempt's
  }
  // Each published check made 3 requests; a stop may cut one more check short (cancelled).
  const auto flaky_published = static_cast<int>(flaky_messages.size());
  EXPECT_GE(flaky_hits.load(), 3 * flaky_published);
  EXPECT_LE(flaky_hits.load(), 3 * flaky_published + 2);

  const auto& down_messages = by_url[down];
  ASSERT_GE(down_messages.size(), 2u) << run.log;
  for (const nlohmann::json& message : down_messages) {
    EXPECT_EQ(message["attempts"], 3) << message.dump();
    EXPECT_EQ(message["healthy"], false) << message.dump();
    EXPECT_EQ(message["error"], "unexpected_status") << message.dump();
  }
  const auto down_published = static_cast<int>(down_messages.size());
  EXPECT_GE(down_hits.load(), 3 * down_published);
  EXPECT_LE(down_hits.load(), 3 * down_published + 2);

  const auto& tight_messages = by_url[tight];
  ASSERT_GE(tight_messages.size(), 2u) << run.log;
  for (const nlohmann::json& message : tight_messages) {
    EXPECT_EQ(message["attempts"], 1) << message.dump();
    EXPECT_EQ(message["healthy"], false) << message.dump();
  }
  EXPECT_LE(tight_hits.load(), static_cast<int>(tight_messages.size()) + 1);

  // Retries never push the schedule: measurements stay one interval apart.
  for (const auto* messages : {&flaky_messages, &down_messages, &tight_messages}) {
    for (std::size_t i = 1; i < messages->size(); ++i) {
      const auto gap = measured_at((*messages)[i]) - measured_at((*messages)[i - 1]);
      EXPECT_GT(gap, milliseconds(700)) << (*messages)[i].dump();
      EXPECT_LT(gap, milliseconds(1300)) << (*messages)[i].dump();
    }
  }
  EXPECT_GE(metric_value(metrics, "hc_check_retries_total", "url=\"" + flaky + "\""),
            2.0 * static_cast<double>(flaky_published - 1))
      << metrics;
  EXPECT_EQ(metric_value(metrics, "hc_check_retries_total", "url=\"" + tight + "\""), -1)
      << metrics;
  EXPECT_NE(run.log.find("retries "), std::string::npos) << run.log;
}

// Redirects and TLS as an operator configures them. A site redirecting to another origin
// (the same 127.0.0.1 on another port) does not hand it the site's X-Api-Key; an https site
// redirecting to plain http is an http error and the http page is never asked; a private CA,
// a self-signed certificate with insecure_skip_verify, a server that requires a client
// certificate and a certificate that names only the SNI name are all checked healthy.
TEST(ProducerHostileTargets, RedirectsAndTlsKeepTheSitesSecretsAndTrust) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::TempDir dir;
  test::TestCa ca(dir.path());

  test::LocalHttpServer other;  // another origin: records what reaches it
  std::mutex other_mutex;
  std::vector<std::string> api_keys_at_other;
  std::atomic<int> plain_hits{0};
  other.server().Get("/landing", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(other_mutex);
    api_keys_at_other.push_back(request.get_header_value("X-Api-Key"));
    response.set_content("landed", "text/plain");
  });
  other.server().Get("/plain", [&plain_hits](const httplib::Request&, httplib::Response& response) {
    ++plain_hits;
    response.set_content("plain", "text/plain");
  });
  other.start();
  const std::string other_landing = other.url("/landing");
  const std::string plain_landing = other.url("/plain");

  test::LocalHttpServer site;
  site.server().Get("/away",
                    [&other_landing](const httplib::Request&, httplib::Response& response) {
                      response.set_redirect(other_landing);
                    });
  site.start();

  auto https_options = [](const test::CertificateFiles& certificate) {
    test::HttpsOptions options;
    options.cert_file = certificate.cert_file;
    options.key_file = certificate.key_file;
    return options;
  };
  auto serve = [](test::LocalHttpServer& server) {
    server.server().Get("/", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("secure", "text/plain");
    });
    server.server().Get("/down", [](const httplib::Request& request, httplib::Response& response) {
      response.set_redirect(request.get_param_value("to"));
    });
    server.start();
  };
  test::LocalHttpServer private_ca(https_options(ca.issue({"private", {}, true, 30})));
  serve(private_ca);
  test::LocalHttpServer self_signed(
      https_options(test::make_self_signed(dir.path(), {"self", {}, true, 20})));
  serve(self_signed);
  test::HttpsOptions client_only = https_options(ca.issue({"mtls", {}, true, 30}));
  client_only.required_client_ca = ca.cert_file();
  test::LocalHttpServer needs_client(client_only);
  serve(needs_client);
  test::LocalHttpServer sni_only(https_options(ca.issue({"sni", {"internal.test"}, false, 30})));
  serve(sni_only);

  const test::CertificateFiles client = ca.issue({"client", {}, true, 30});
  const std::string away = site.url("/away");
  const std::string downgrade = private_ca.url("/down?to=" + plain_landing);
  const std::string trusted = private_ca.url("/");
  const std::string untrusted = private_ca.url("/?untrusted");
  const std::string insecure = self_signed.url("/");
  const std::string mutual = needs_client.url("/");
  const std::string named = sni_only.url("/");
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  defaults: { polling_interval_in_seconds: 1, timeout_ms: 2000, destination_topic: healthcheck,
              follow_redirects: true, headers: {X-Api-Key: s3cret-key},
              tls: {ca_file: ")"
                             << ca.cert_file() << R"("} }
  websites:
    - url: )" << away << R"(
    - url: ")" << downgrade << R"("
    - url: )" << trusted << R"(
    - url: )" << untrusted << R"(
      tls: {ca_file: ""}
    - url: )" << insecure << R"(
      tls: {insecure_skip_verify: true}
    - url: )" << mutual << R"(
      tls: {cert_file: ")" << client.cert_file
                             << R"(", key_file: ")" << client.key_file << R"("}
    - url: )" << named << R"(
      tls: {server_name: internal.test, min_version: "1.2"}
)";
  const ProducerRun run = run_producer_for(broker, config_file, seconds(3));
  ASSERT_EQ(run.exit_code, 0) << run.log;

  auto by_url = published_json(broker);
  struct Expected {
    bool healthy;
    nlohmann::json error;
  };
  const std::map<std::string, Expected> expected = {
      {away, {true, nullptr}},     {downgrade, {false, "http"}}, {trusted, {true, nullptr}},
      {untrusted, {false, "tls"}}, {insecure, {true, nullptr}},  {mutual, {true, nullptr}},
      {named, {true, nullptr}},
  };
  for (const auto& [url, want] : expected) {
    ASSERT_FALSE(by_url[url].empty()) << url << "\n" << run.log;
    for (const nlohmann::json& message : by_url[url]) {
      EXPECT_EQ(message["healthy"], want.healthy) << url << ": " << message.dump();
      EXPECT_EQ(message["error"], want.error) << url << ": " << message.dump();
    }
  }
  for (const nlohmann::json& message : by_url[insecure]) {
    EXPECT_FALSE(message["cert_expires_at"].is_null()) << message.dump();
  }
  EXPECT_EQ(plain_hits.load(), 0) << "an https site followed a redirect down to plain http";
  std::lock_guard lock(other_mutex);
  ASSERT_FALSE(api_keys_at_other.empty());
  for (const std::string& key : api_keys_at_other) {
    EXPECT_EQ(key, "") << "the site's X-Api-Key followed a redirect to another origin";
  }
}

// A stop while a retry waits for its delay: the process does not wait for it (it exits
// long before the 20 s delay; the page is asked once), the check is cancelled and counted,
// and nothing is published for it: an unfinished check says nothing about the site.
TEST(ProducerHostileTargets, AStopWhileARetryWaitsCancelsItPromptlyAndPublishesNothing) {
  test::DevBroker broker({{"healthcheck", 4}});
  test::LocalHttpServer web;
  std::atomic<int> hits{0};
  web.server().Get("/down", [&hits](const httplib::Request&, httplib::Response& response) {
    ++hits;
    response.status = 500;
    response.set_content("down", "text/plain");
  });
  web.start();
  const std::string down = web.url("/down");
  test::TempDir dir;
  const auto config_file = dir.path() / "config.yaml";
  std::ofstream(config_file) << R"(healthcheck-producer-config:
  bootstrap_servers: [ !ENV "${KAFKA_BOOTSTRAP_SERVER}" ]
  websites:
    - url: )" << down << R"(
      polling_interval_in_seconds: 30
      timeout_ms: 500
      destination_topic: healthcheck
      retries: 2
      retry_delay_ms: 20000
)";
  const int metrics_port = test::unused_loopback_port();
  test::ChildProcess hc = start_producer(
      broker, config_file, {"--metrics-addr", "127.0.0.1:" + std::to_string(metrics_port)});
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::eventually(
      [&] {
        return metric_value(scrape_metrics(metrics_port), "hc_check_retries_total",
                            "url=\"" + down + "\"") == 1;
      },
      seconds(45)))  // the first check comes at a fixed offset within the 30 s interval
      << scrape_metrics(metrics_port);
  const auto stop_sent = std::chrono::steady_clock::now();
  const ProducerRun run = stop_producer(hc, config_file, started);
  const auto stop_took = std::chrono::steady_clock::now() - stop_sent;
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_LT(stop_took, seconds(10)) << "the stop waited for the retry's delay\n" << run.log;
  EXPECT_EQ(hits.load(), 1);
  EXPECT_TRUE(published_json(broker)[down].empty()) << run.log;
  EXPECT_NE(run.log.find("cancelled 1,"), std::string::npos) << run.log;
}

// Targets of the other check types that answer with garbage: a tcp "banner" of megabytes of
// random bytes (NUL and invalid UTF-8 included), a DNS server whose replies carry the query's
// id and question and then random bytes, one whose replies stop after the header, and one that
// sets the truncation bit (c-ares then asks over TCP, where nothing listens). Every message is
// storable (decodes, no poison), each hostile site is judged down with its reason, and the
// producer goes on checking: its healthy control site is published after them, and it exits 0.
TEST(ProducerHostileTargets, GarbageFromTcpAndDnsTargetsIsJudgedAndPublishable) {
  test::DevBroker broker({{"healthcheck", 4}, {"healthcheck.events", 1}});
  test::TempDir dir;
  test::TcpServer banner([](int fd) {
    std::mt19937 random(7);
    std::string garbage(std::size_t{3} * 1024 * 1024, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    test::send_all(fd, garbage);
  });
  std::mt19937 random(11);
  test::UdpServer garbage_dns([&random](const std::string& query) -> std::optional<std::string> {
    if (query.size() < 12) return std::nullopt;
    std::string reply = query.substr(0, 2) + "\x81\x80";
    reply += std::string("\x00\x01\x00\x05\x00\x00\x00\x00", 8);
    reply += query.substr(12);
    for (int i = 0; i < 60; ++i) reply.push_back(static_cast<char>(random()));
    return reply;
  });
  test::UdpServer cut_dns([](const std::string& query) -> std::optional<std::string> {
    if (query.size() < 12) return std::nullopt;
    return query.substr(0, 2) + std::string("\x81\x80\x00\x01\x00\x01", 6);  // header cut short
  });
  test::UdpServer truncated_dns([](const std::string& query) -> std::optional<std::string> {
    if (query.size() < 12) return std::nullopt;
    // TC set, no answers: the client is told to ask again over TCP.
    return query.substr(0, 2) + std::string("\x83\x80\x00\x01\x00\x00\x00\x00\x00\x00", 10) +
           query.substr(12);
  });
  test::TcpServer control([](int fd) { test::send_all(fd, "220 ready\r\n"); });

  const std::string tcp_garbage = "tcp://127.0.0.1:" + std::to_string(banner.port());
  const auto dns_url = [](const test::UdpServer& server) {
    return "dns://127.0.0.1:" + std::to_string(server.port()) + "/www.hc.test?type=A";
  };
  const std::string dns_garbage = dns_url(garbage_dns);
  const std::string dns_cut = dns_url(cut_dns);
  const std::string dns_truncated = dns_url(truncated_dns);
  const std::string tcp_control = "tcp://127.0.0.1:" + std::to_string(control.port());
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  defaults:\n"
                        << "    polling_interval_in_seconds: 1\n"
                        << "    timeout_ms: 3000\n"
                        << "    destination_topic: healthcheck\n"
                        << "  websites:\n"
                        << "    - url: " << tcp_garbage << "\n"
                        << "      expect: \"^220 \"\n"
                        << "      max_body_bytes: 4096\n"
                        << "    - url: \"" << dns_garbage << "\"\n"
                        << "    - url: \"" << dns_cut << "\"\n"
                        << "    - url: \"" << dns_truncated << "\"\n"
                        << "    - url: " << tcp_control << "\n"
                        << "      expect: \"^220 \"\n";
  // The run length (not a synchronisation): long enough for two rounds of every site, each
  // ending within its 3 s timeout.
  const ProducerRun run = run_producer_for(broker, config, seconds(8));
  EXPECT_EQ(run.exit_code, 0) << run.log;
  const auto by_url = published_json(broker);
  for (const std::string& url : {tcp_garbage, dns_garbage, dns_cut, dns_truncated, tcp_control}) {
    const auto found = by_url.find(url);
    ASSERT_TRUE(found != by_url.end()) << url << "\n" << run.log;
    // The producer outlived the first round's garbage.
    EXPECT_GE(found->second.size(), 2U) << url;
  }

  std::map<std::string, Measurement> last;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 4, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << record.value;
    last[record.key] = std::get<Measurement>(decoded);
  }
  EXPECT_EQ(last[tcp_garbage].healthy, false);
  EXPECT_FALSE(last[tcp_garbage].error) << last[tcp_garbage].error_detail;
  EXPECT_EQ(last[tcp_garbage].failed_conditions, std::vector<std::string>{"expect"});
  EXPECT_TRUE(last[tcp_garbage].body_truncated);
  for (const std::string& url : {dns_garbage, dns_cut, dns_truncated}) {
    EXPECT_EQ(last[url].healthy, false) << url;
    EXPECT_TRUE(last[url].error) << url;
    EXPECT_EQ(last[url].check_type, "dns") << url;
  }
  EXPECT_EQ(last[dns_garbage].error, "dns") << last[dns_garbage].error_detail;
  EXPECT_EQ(last[tcp_control].healthy, true) << last[tcp_control].error_detail;
}

}  // namespace
}  // namespace hc
