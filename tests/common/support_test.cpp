// The test support itself: child processes, hc-devbroker, throwaway PostgreSQL. Everything
// here runs real processes and servers on loopback.
#include "hc/test/support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "hc/common/kafka_handles.h"

namespace hc::test {
namespace {

using namespace std::chrono_literals;

bool process_exists(pid_t pid) { return kill(pid, 0) == 0; }

// True if something accepts TCP connections on 127.0.0.1:port.
bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

// "127.0.0.1:1234,127.0.0.1:5678" -> 1234
int first_port(const std::string& bootstrap_servers) {
  auto colon = bootstrap_servers.find(':');
  return std::stoi(bootstrap_servers.substr(colon + 1));
}

KafkaHandle make_client(rd_kafka_type_t type, const std::string& bootstrap_servers,
                        const std::vector<std::pair<std::string, std::string>>& properties) {
  KafkaConf conf(rd_kafka_conf_new());
  char error_text[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error_text, sizeof error_text) !=
        RD_KAFKA_CONF_OK) {
      throw std::runtime_error(name + ": " + error_text);
    }
  };
  set("bootstrap.servers", bootstrap_servers);
  for (const auto& [name, value] : properties) set(name, value);
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), error_text, sizeof error_text);
  if (handle == nullptr) throw std::runtime_error(error_text);
  static_cast<void>(conf.release());  // rd_kafka_new took ownership of the conf
  return KafkaHandle(handle);
}

TEST(TempDir, IsRemovedWithEverythingInIt) {
  std::filesystem::path path;
  {
    TempDir dir;
    path = dir.path();
    std::ofstream(path / "file") << "x";
    ASSERT_TRUE(std::filesystem::is_directory(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ChildProcess, ReportsTheExitCode) {
  ChildProcess child({"sh", "-c", "exit 3"});
  EXPECT_EQ(child.wait_for_exit(10s), 3);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, GetsExtraEnvironmentAndRedirectedOutput) {
  TempDir dir;
  ChildProcess::Options options;
  options.extra_env = {{"HC_SUPPORT_TEST_VALUE", "hello"}};
  options.stdout_file = dir.path() / "out";
  options.stderr_file = dir.path() / "err";
  ChildProcess child({"sh", "-c", "echo \"$HC_SUPPORT_TEST_VALUE\"; echo oops >&2"}, options);
  ASSERT_EQ(child.wait_for_exit(10s), 0);
  EXPECT_EQ(read_file(dir.path() / "out"), "hello\n");
  EXPECT_EQ(read_file(dir.path() / "err"), "oops\n");
}

TEST(ChildProcess, ExitBySignalIsReportedAs128PlusSignal) {
  ChildProcess child({"sleep", "30"});
  ASSERT_TRUE(child.running());
  child.send_signal(SIGTERM);
  EXPECT_EQ(child.wait_for_exit(10s), 128 + SIGTERM);
}

TEST(ChildProcess, DestructorKillsAndReapsARunningChild) {
  pid_t pid = -1;
  {
    ChildProcess child({"sleep", "30"});
    pid = child.pid();
    ASSERT_TRUE(process_exists(pid));
  }
  EXPECT_FALSE(process_exists(pid));  // reaped, not a zombie
}

TEST(ChildProcess, MissingProgramThrows) {
  EXPECT_THROW(ChildProcess({"/nonexistent/hc-no-such-program"}), std::system_error);
  EXPECT_THROW(ChildProcess({"hc-no-such-program-in-path"}), std::runtime_error);
}

TEST(RunCommand, ReturnsExitCodeAndCombinedOutput) {
  CommandResult result = run_command({"sh", "-c", "echo out; echo err >&2; exit 4"});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_NE(result.output.find("out"), std::string::npos);
  EXPECT_NE(result.output.find("err"), std::string::npos);
}

TEST(RunCommand, KillsACommandThatOutlivesItsTimeout) {
  CommandResult result = run_command({"sleep", "30"}, 200ms);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_NE(result.output.find("killed after 200 ms"), std::string::npos);
}

TEST(DevBroker, CarriesAMessageFromAProducerToAConsumer) {
  DevBroker broker({{"support", 1}});
  ASSERT_FALSE(broker.bootstrap_servers().empty());

  KafkaHandle producer = make_client(RD_KAFKA_PRODUCER, broker.bootstrap_servers(), {});
  const std::string key = "https://example.test/";
  const std::string value = R"({"v":1})";
  ASSERT_EQ(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("support"),
                              RD_KAFKA_V_KEY(key.data(), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_flush(producer.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);

  KafkaHandle consumer =
      make_client(RD_KAFKA_CONSUMER, broker.bootstrap_servers(), {{"group.id", "support-test"}});
  KafkaPartitionList partitions(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(partitions.get(), "support", 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  ASSERT_EQ(rd_kafka_assign(consumer.get(), partitions.get()), RD_KAFKA_RESP_ERR_NO_ERROR);

  std::string received_key;
  std::string received_value;
  bool received = eventually(
      [&] {
        KafkaMessage message(rd_kafka_consumer_poll(consumer.get(), 100));
        if (!message || message->err != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
        received_key.assign(static_cast<const char*>(message->key), message->key_len);
        received_value.assign(static_cast<const char*>(message->payload), message->len);
        return true;
      },
      15s);
  rd_kafka_consumer_close(consumer.get());
  ASSERT_TRUE(received);
  EXPECT_EQ(received_key, key);
  EXPECT_EQ(received_value, value);
}

TEST(DevBroker, StopsListeningWhenDestroyed) {
  int port = 0;
  {
    DevBroker broker;
    port = first_port(broker.bootstrap_servers());
    ASSERT_TRUE(accepts_connections(port));
  }
  EXPECT_FALSE(accepts_connections(port));
}

TEST(TempPostgres, RunsSqlAndKeepsDataAcrossAServerRestart) {
  TempPostgres postgres;
  postgres.query("CREATE TABLE kept (id int PRIMARY KEY, name text)");
  postgres.query("INSERT INTO kept VALUES (1, 'one'), (2, 'two')");
  ASSERT_EQ(postgres.query("SELECT name FROM kept ORDER BY id"), "one\ntwo");

  postgres.stop_server();
  EXPECT_FALSE(accepts_connections(postgres.port()));
  EXPECT_THROW(postgres.query("SELECT 1"), std::runtime_error);
  postgres.start_server();

  EXPECT_EQ(postgres.query("SELECT count(*) FROM kept"), "2");
}

TEST(TempPostgres, CreatedDatabaseIsReachableThroughItsUri) {
  TempPostgres postgres;
  postgres.create_database("second");
  EXPECT_EQ(postgres.uri("second"),
            "postgresql://postgres@127.0.0.1:" + std::to_string(postgres.port()) + "/second");
  EXPECT_EQ(postgres.query("SELECT current_database()", "second"), "second");
}

TEST(TempPostgres, FailingSqlThrowsWithTheStatement) {
  TempPostgres postgres;
  try {
    postgres.query("SELECT * FROM no_such_table");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no_such_table"), std::string::npos);
  }
}

TEST(TempPostgres, ServerIsGoneAfterDestruction) {
  int port = 0;
  {
    TempPostgres postgres;
    port = postgres.port();
    ASSERT_TRUE(accepts_connections(port));
  }
  EXPECT_FALSE(accepts_connections(port));
}

}  // namespace
}  // namespace hc::test
