// A PostgreSQL password with the characters that break URIs, given through !ENV: it works
// (percent-encoded in a URI, or quoted in key=value form) and shows up nowhere: not in the
// log, /metrics, /healthz, `hc status` or a dead letter. The role authenticates with
// SCRAM (pg_hba), so a wrong password would be refused.
#include <gtest/gtest.h>
#include <httplib.h>

#include "consumer_e2e_fixture.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

constexpr int kPartitions = 4;
constexpr const char* kPassword = "p%/@:?#x";
constexpr const char* kPasswordEncoded = "p%25%2F%40%3A%3F%23x";

void expect_no_secret(const std::string& where, const std::string& text) {
  EXPECT_EQ(text.find(kPassword), std::string::npos) << where << ":\n" << text;
  EXPECT_EQ(text.find(kPasswordEncoded), std::string::npos) << where << ":\n" << text;
}

class ConsumerSecrets : public ::testing::Test {
 protected:
  ConsumerSecrets() : broker_({{"checks", kPartitions}, {"checks.dlq", kPartitions}}) {
    postgres_.query(std::string("CREATE ROLE hc_writer LOGIN PASSWORD '") + kPassword + "'");
    postgres_.query("GRANT ALL ON SCHEMA public TO hc_writer");
    // SCRAM for hc_writer over TCP, ahead of the trust rules of the throwaway server.
    const std::filesystem::path hba = postgres_.query("SHOW hba_file");
    const std::string rules = test::read_file(hba);
    std::ofstream(hba) << "host all hc_writer 127.0.0.1/32 scram-sha-256\n" << rules;
    postgres_.query("SELECT pg_reload_conf()");
    config_ = dir_.path() / "consumer.yaml";
    const std::string port = std::to_string(postgres_.port());
    std::ofstream(config_)
        << "healthcheck-consumer-config:\n"
        << "  bootstrap_servers: [\"" << broker_.bootstrap_servers() << "\"]\n"
        << "  group_id: g1\n  batch_max_wait_ms: 50\n  session_timeout_ms: 6000\n"
        << "  topics:\n"
        << "    - source_topic: checks\n"
        << "      connection_uri: !ENV "
           "\"postgresql://hc_writer:${HC_PG_PASSWORD_ENCODED}@127.0.0.1:"
        << port << "/postgres\"\n"
        << "      table_name: healthcheck\n"
        << "    - source_topic: checks\n"
        << "      connection_uri: !ENV \"host=127.0.0.1 port=" << port
        << " dbname=postgres user=hc_writer password='${HC_PG_PASSWORD}'\"\n"
        << "      table_name: copy_b\n";
  }

  std::vector<std::pair<std::string, std::string>> env() const {
    return {{"HC_PG_PASSWORD", kPassword}, {"HC_PG_PASSWORD_ENCODED", kPasswordEncoded}};
  }
  long rows(const std::string& table) { return postgres_.row_count(table); }
  std::string get(const std::string& path, int* status = nullptr) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2);
    auto response = client.Get(path);
    if (status != nullptr) *status = response ? response->status : -1;
    return response ? response->body : std::string();
  }

  test::TempDir dir_;
  test::DevBroker broker_;
  test::TempPostgres postgres_;
  std::filesystem::path config_;
  int port_ = test::unused_loopback_port();
};

TEST_F(ConsumerSecrets, APasswordWithUriDelimitersWorksFromEnvAndAppearsNowhere) {
  // The password matters: the server refuses a wrong one for this role.
  auto wrong =
      test::run_command({"psql", "-XAtq", "-h", "127.0.0.1", "-p", std::to_string(postgres_.port()),
                         "-U", "hc_writer", "-d", "postgres", "-c", "SELECT 1"},
                        seconds(30), {{"PGPASSWORD", "wrong"}});
  ASSERT_NE(wrong.exit_code, 0) << wrong.output;
  EXPECT_NE(wrong.output.find("password authentication failed"), std::string::npos) << wrong.output;

  const std::filesystem::path log = dir_.path() / "consumer.log";
  test::ChildProcess::Options options;
  options.extra_env = env();
  options.extra_env.emplace_back(
      "LSAN_OPTIONS",
      "suppressions=" + (test::source_dir() / "tests/support/libpqxx.lsan.supp").string());
  options.stdout_file = log;
  options.stderr_file = log;
  test::ChildProcess consumer(
      {test::hc_binary().string(), "--consumer", "-c", config_.string(), "--log-level", "debug",
       "--metrics-addr", "127.0.0.1:" + std::to_string(port_)},
      options);
  ASSERT_TRUE(test::eventually([&] { return rows("healthcheck") == 0 && rows("copy_b") == 0; },
                               seconds(60)))
      << test::read_file(log);
  postgres_.query(
      "ALTER TABLE healthcheck ADD CONSTRAINT no_teapots CHECK (status_code IS DISTINCT FROM 418)");
  TestProducer producer(broker_.bootstrap_servers());
  producer.send_many("checks", 100, 10);
  Measurement teapot = measurement("https://teapot.test/", 1'795'000'000'100'000);
  teapot.status_code = 418;
  producer.send("checks", teapot);
  producer.flush();
  ASSERT_TRUE(test::eventually([&] { return rows("healthcheck") == 100 && rows("copy_b") == 101; },
                               seconds(60)))
      << test::read_file(log);
  auto letters =
      test::read_topic(broker_.bootstrap_servers(), "checks.dlq", kPartitions, 1, seconds(30));
  ASSERT_EQ(letters.size(), 1u) << test::read_file(log);
  EXPECT_EQ(letters[0].header("hc-dlq-reason"), "db_rejected");
  std::string letter_text = letters[0].key + letters[0].value;
  for (const auto& [name, value] : letters[0].headers) {
    letter_text.append(name).append(": ").append(value).append("\n");
  }
  expect_no_secret("dead letter", letter_text);
  expect_no_secret("/metrics", get("/metrics"));

  // A table broken by hand puts Postgres' words and the database's name on /healthz.
  postgres_.query("ALTER TABLE healthcheck RENAME COLUMN body_bytes TO body_size");
  producer.send_many("checks", 10, 10, 1'796'000'000'000'000);
  std::string unhealthy;
  ASSERT_TRUE(test::eventually(
      [&] {
        int status = 0;
        unhealthy = get("/healthz", &status);
        return status == 503 && unhealthy.find("body_bytes") != std::string::npos;
      },
      seconds(30)))
      << unhealthy << "\n"
      << test::read_file(log);
  expect_no_secret("/healthz", unhealthy);
  postgres_.query("ALTER TABLE healthcheck RENAME COLUMN body_size TO body_bytes");
  ASSERT_TRUE(test::eventually([&] { return rows("healthcheck") == 110; }, seconds(60)))
      << test::read_file(log);

  auto status = test::run_command({test::hc_binary().string(), "status", "-c", config_.string()},
                                  seconds(60), env());
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("https://site1.test/"), std::string::npos) << status.output;
  expect_no_secret("hc status", status.output);

  consumer.send_signal(SIGTERM);
  EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0) << test::read_file(log);
  expect_no_secret("log", test::read_file(log));
}

TEST_F(ConsumerSecrets, ARawPasswordThatLibpqWouldMisreadIsAConfigErrorThatQuotesNothing) {
  std::ofstream(config_) << "healthcheck-consumer-config:\n"
                         << "  bootstrap_servers: [\"127.0.0.1:9092\"]\n"
                         << "  topics:\n"
                         << "    - source_topic: checks\n"
                         << "      connection_uri: !ENV \"postgresql://hc_writer:${HC_PG_PASSWORD}"
                            "@127.0.0.1:5432/postgres\"\n"
                         << "      table_name: healthcheck\n";
  auto result = test::run_command(
      {test::hc_binary().string(), "check-config", "-c", config_.string()}, seconds(30), env());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("connection_uri: libpq would misread this connection URI"),
            std::string::npos)
      << result.output;
  expect_no_secret("check-config", result.output);
}

}  // namespace
}  // namespace hc::e2e
