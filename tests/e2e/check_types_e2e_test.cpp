// tcp, tls and dns checks through the built binaries: hc --producer -> hc-devbroker -> hc
// --consumer -> PostgreSQL, against loopback servers (a banner server, a closed port, a TLS
// server with a private CA, dnsmasq); the messages, the rows and `hc status` are read back.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "hc/common/message.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_dns_server.h"
#include "hc/test/local_http_server.h"
#include "hc/test/local_tcp_server.h"
#include "hc/test/support.h"
#include "hc/test/test_certificates.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

std::string log_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CheckTypes, TcpTlsAndDnsChecksArePublishedStoredAndShown) {
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.dlq", 1}, {"healthcheck.events", 1}});
  test::TempPostgres postgres;
  test::TempDir dir;
  test::TcpServer banner([](int fd) {
    test::send_all(fd, "220 hc-test ESMTP\r\n");
    test::hold_open(fd, std::chrono::milliseconds(2000));
  });
  const test::TestCa ca(dir.path());
  const test::CertificateFiles leaf =
      ca.issue({.name = "leaf", .dns_names = {}, .for_loopback_ip = true, .days = 30});
  test::HttpsOptions options;
  options.cert_file = leaf.cert_file;
  options.key_file = leaf.key_file;
  test::LocalHttpServer tls_server(options);
  tls_server.start();
  const test::UdpServer silent([](const std::string&) { return std::nullopt; });
  test::Dnsmasq dnsmasq(silent.port());

  const std::string tcp_up = "tcp://127.0.0.1:" + std::to_string(banner.port());
  const std::string tcp_closed = "tcp://127.0.0.1:" + std::to_string(test::closed_port());
  const std::string tls_up = "tls://127.0.0.1:" + std::to_string(tls_server.port());
  const std::string dns_up =
      "dns://127.0.0.1:" + std::to_string(dnsmasq.port()) + "/www.hc.test?type=A";
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  defaults:\n"
                        << "    polling_interval_in_seconds: 1\n"
                        << "    timeout_ms: 2000\n"
                        << "    destination_topic: healthcheck\n"
                        << "    regex: \"applies to http sites only\"\n"
                        << "  websites:\n"
                        << "    - url: " << tcp_up << "\n"
                        << "      expect: \"^220 \"\n"
                        << "    - url: " << tcp_closed << "\n"
                        << "    - url: " << tls_up << "\n"
                        << "      min_cert_days: 7\n"
                        << "      tls: {ca_file: \"" << ca.cert_file() << "\"}\n"
                        << "    - url: \"" << dns_up << "\"\n"
                        << "      expected: [127.0.0.2]\n"
                        << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  group_id: check-types\n"
                        << "  batch_max_wait_ms: 50\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: healthcheck\n";
  test::ChildProcess consumer = test::start_hc("--consumer", config, "consumer");
  test::ChildProcess producer = test::start_hc("--producer", config, "producer");

  auto row = [&](const std::string& url, const std::string& columns) {
    return postgres.query("SELECT " + columns + " FROM healthcheck WHERE uri = '" + url +
                          "' ORDER BY measurement_time DESC LIMIT 1");
  };
  ASSERT_TRUE(test::eventually(
      [&] {
        try {
          // dnsmasq starts beside the producer: its first checks may find nothing listening.
          return !row(tcp_up, "1").empty() && !row(tcp_closed, "1").empty() &&
                 !row(tls_up, "1").empty() && row(dns_up, "healthy") == "t";
        } catch (const std::exception&) {
          return false;  // the table may not exist yet
        }
      },
      seconds(60)))
      << log_of(dir.path() / "producer.log") << log_of(dir.path() / "consumer.log");
  producer.send_signal(SIGTERM);
  ASSERT_EQ(producer.wait_for_exit(seconds(20)), 0);

  // The messages: check_type and the type's measures, status_code absent.
  std::map<std::string, Measurement> latest;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 1, 1000, seconds(3))) {
    auto decoded = decode_message(record.value);
    ASSERT_TRUE(std::holds_alternative<Measurement>(decoded)) << record.value;
    latest[record.key] = std::get<Measurement>(decoded);
  }
  ASSERT_EQ(latest.size(), 4U);
  EXPECT_EQ(latest[tcp_up].check_type, "tcp");
  EXPECT_EQ(latest[tcp_up].healthy, true);
  EXPECT_EQ(latest[tcp_up].regex, "^220 ");
  EXPECT_FALSE(latest[tcp_up].status_code);
  EXPECT_TRUE(latest[tcp_up].timings.connect_us);
  EXPECT_EQ(latest[tcp_closed].error, "connect");
  EXPECT_EQ(latest[tls_up].check_type, "tls");
  EXPECT_EQ(latest[tls_up].chain_valid, true);
  EXPECT_TRUE(latest[tls_up].tls_version && latest[tls_up].tls_cipher);
  EXPECT_TRUE(latest[tls_up].chain_expires_at);
  EXPECT_EQ(latest[dns_up].check_type, "dns");
  EXPECT_EQ(latest[dns_up].dns_rcode, "NOERROR");
  EXPECT_EQ(latest[dns_up].dns_answers, std::vector<std::string>{"127.0.0.2"});

  // The rows.
  EXPECT_EQ(row(tcp_up,
                "check_type || ' ' || healthy || ' ' || regex_match || ' ' ||"
                " (connect_us IS NOT NULL) || ' ' || (status_code IS NULL)"),
            "tcp true true true true");
  EXPECT_EQ(row(tcp_closed, "check_type || ' ' || healthy || ' ' || error"), "tcp false connect");
  EXPECT_EQ(row(tls_up,
                "check_type || ' ' || healthy || ' ' || chain_valid || ' ' ||"
                " (tls_version LIKE 'TLSv1._') || ' ' || (chain_expires_at > now())"),
            "tls true true true true");
  EXPECT_EQ(
      row(dns_up, "check_type || ' ' || healthy || ' ' || dns_rcode || ' ' || dns_answers::text"),
      "dns true NOERROR {127.0.0.2}");

  // hc status lists every type.
  const test::CommandResult status = test::run_command(
      {test::hc_binary().string(), "status", "-c", config.string(), "--format", "json"},
      seconds(30));
  ASSERT_EQ(status.exit_code, 0) << status.output;
  std::map<std::string, bool> up;
  for (const auto& site : nlohmann::json::parse(status.output)) {
    up[site.value("url", "")] =
        site["last_error"].is_null() && site["last_failed_conditions"].empty();
  }
  EXPECT_EQ(up, (std::map<std::string, bool>{
                    {tcp_up, true}, {tcp_closed, false}, {tls_up, true}, {dns_up, true}}))
      << status.output;
  consumer.send_signal(SIGTERM);
  EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0);
}

}  // namespace
}  // namespace hc::e2e
