// icmp:// checks through the built binaries: echo requests to 127.0.0.1 (hc --producer ->
// hc-devbroker -> hc --consumer -> PostgreSQL -> hc status), to a test network namespace whose
// host loses every other packet and answers another address only from the wrong one (loss
// measured, forged replies ignored), under a storm of duplicate, forged and garbage ICMP (no
// crash, no stall, no corrupted measurement, other checks still made), and without any ICMP
// socket (CAP_NET_RAW dropped): a config error at the site's line from check-config and the
// producer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "hc/common/message.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/local_tcp_server.h"
#include "hc/test/support.h"
#include "producer_run.h"

namespace hc::e2e {
namespace {

using std::chrono::seconds;

std::map<std::string, std::vector<Measurement>> published(const test::DevBroker& broker) {
  std::map<std::string, std::vector<Measurement>> by_url;
  for (const auto& record :
       test::read_topic(broker.bootstrap_servers(), "healthcheck", 1, 100000, seconds(3))) {
    auto decoded = decode_message(record.value);
    if (!std::holds_alternative<Measurement>(decoded)) {
      ADD_FAILURE() << "not a storable measurement: " << record.value;
      continue;
    }
    by_url[record.key].push_back(std::get<Measurement>(decoded));
  }
  return by_url;
}

// The measures of an icmp message hold together whatever the network did.
void expect_consistent(const Measurement& m) {
  EXPECT_EQ(m.check_type, "icmp");
  ASSERT_TRUE(m.loss_percent) << m.url;
  EXPECT_GE(*m.loss_percent, 0);
  EXPECT_LE(*m.loss_percent, 100);
  EXPECT_EQ(m.rtt_avg_us.has_value(), *m.loss_percent < 100) << m.url;
  if (m.rtt_avg_us) {
    ASSERT_TRUE(m.rtt_min_us && m.rtt_max_us);
    EXPECT_LE(*m.rtt_min_us, *m.rtt_avg_us);
    EXPECT_LE(*m.rtt_avg_us, *m.rtt_max_us);
    EXPECT_EQ(m.response_time_us, *m.rtt_avg_us);
  }
}

// Runs `argv`, failing the test with its output if it does not exit 0.
void run_or_fail(const std::vector<std::string>& argv) {
  const test::CommandResult result = test::run_command(argv, seconds(30));
  ASSERT_EQ(result.exit_code, 0) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ": "
                                 << result.output;
}

// A network namespace joined to ours by a veth pair: 10.213.N.1 here, 10.213.N.2 and .3 there
// (N from our pid, so parallel runs do not collide), with its kernel ignoring echo requests.
class LossyNamespace {
 public:
  LossyNamespace()
      : id_(std::to_string(getpid())),
        name_("hcicmp" + id_),
        prefix_("10.213." + std::to_string(getpid() % 250) + ".") {
    const std::string here = "hci" + id_ + "a";
    const std::string there = "hci" + id_ + "b";
    run_or_fail({"ip", "netns", "add", name_});
    created_ = true;
    run_or_fail({"ip", "link", "add", here, "type", "veth", "peer", "name", there});
    run_or_fail({"ip", "link", "set", there, "netns", name_});
    run_or_fail({"ip", "addr", "add", prefix_ + "1/24", "dev", here});
    run_or_fail({"ip", "link", "set", here, "up"});
    for (const char* host : {"2/24", "3/24"}) {
      run_or_fail(
          {"ip", "netns", "exec", name_, "ip", "addr", "add", prefix_ + host, "dev", there});
    }
    run_or_fail({"ip", "netns", "exec", name_, "ip", "link", "set", there, "up"});
    run_or_fail({"ip", "netns", "exec", name_, "sh", "-c",
                 "echo 1 > /proc/sys/net/ipv4/icmp_echo_ignore_all"});
    here_ = here;
  }
  ~LossyNamespace() {
    if (!here_.empty()) test::run_command({"ip", "link", "del", here_}, seconds(10));
    if (created_) test::run_command({"ip", "netns", "del", name_}, seconds(10));
  }
  LossyNamespace(const LossyNamespace&) = delete;
  LossyNamespace& operator=(const LossyNamespace&) = delete;

  const std::string& name() const { return name_; }
  std::string address(int host) const { return prefix_ + std::to_string(host); }

 private:
  std::string id_;
  std::string name_;
  std::string prefix_;
  std::string here_;
  bool created_ = false;
};

std::string producer_config(const test::DevBroker& broker, const std::string& websites) {
  return "healthcheck-producer-config:\n"
         "  bootstrap_servers: [\"" +
         broker.bootstrap_servers() +
         "\"]\n"
         "  defaults:\n"
         "    polling_interval_in_seconds: 1\n"
         "    timeout_ms: 800\n"
         "    destination_topic: healthcheck\n"
         "  websites:\n" +
         websites;
}

TEST(IcmpChecks, LoopbackIsCheckedStoredAndShown) {
  test::DevBroker broker({{"healthcheck", 1}, {"healthcheck.dlq", 1}, {"healthcheck.events", 1}});
  test::TempPostgres postgres;
  test::TempDir dir;
  const std::string site = "icmp://127.0.0.1";
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << producer_config(broker, "    - url: " + site +
                                                       "\n"
                                                       "      count: 3\n"
                                                       "      interval_ms: 50\n"
                                                       "      max_loss_percent: 0\n")
                        << "healthcheck-consumer-config:\n"
                        << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
                        << "  group_id: icmp-checks\n"
                        << "  batch_max_wait_ms: 50\n"
                        << "  topics:\n"
                        << "    - source_topic: healthcheck\n"
                        << "      connection_uri: \"" << postgres.uri() << "\"\n"
                        << "      table_name: healthcheck\n";
  const test::CommandResult checked =
      test::run_command({test::hc_binary().string(), "check-config", "-c", config.string()});
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  test::ChildProcess consumer = test::start_hc("--consumer", config, "consumer");
  test::ChildProcess producer = start_producer(broker, config);
  const auto started = std::chrono::steady_clock::now();

  auto row = [&](const std::string& columns) {
    return postgres.query("SELECT " + columns + " FROM healthcheck WHERE uri = '" + site +
                          "' ORDER BY measurement_time DESC LIMIT 1");
  };
  ASSERT_TRUE(test::eventually(
      [&] {
        try {
          return !row("1").empty();
        } catch (const std::exception&) {
          return false;  // the table may not exist yet
        }
      },
      seconds(60)))
      << read_file(dir.path() / "hc.log") << read_file(dir.path() / "consumer.log");
  const ProducerRun run = stop_producer(producer, config, started);
  ASSERT_EQ(run.exit_code, 0) << run.log;

  const auto messages = published(broker);
  ASSERT_FALSE(messages.at(site).empty());
  for (const Measurement& m : messages.at(site)) {
    expect_consistent(m);
    EXPECT_EQ(m.loss_percent, 0);
    EXPECT_EQ(m.healthy, true);
    EXPECT_EQ(m.address, "127.0.0.1");
    EXPECT_FALSE(m.status_code);
  }
  EXPECT_EQ(row("check_type || ' ' || healthy || ' ' || loss_percent || ' ' ||"
                " (rtt_min_us <= rtt_avg_us AND rtt_avg_us <= rtt_max_us) || ' ' ||"
                " (rtt_avg_us = response_time_microseconds)"),
            "icmp true 0 true true");

  const test::CommandResult status = test::run_command(
      {test::hc_binary().string(), "status", "-c", config.string(), "--format", "json"},
      seconds(30));
  ASSERT_EQ(status.exit_code, 0) << status.output;
  const nlohmann::json sites = nlohmann::json::parse(status.output);
  ASSERT_EQ(sites.size(), 1U) << status.output;
  EXPECT_EQ(sites[0].value("check_type", ""), "icmp");
  EXPECT_TRUE(sites[0]["last_error"].is_null()) << status.output;
  consumer.send_signal(SIGTERM);
  EXPECT_EQ(consumer.wait_for_exit(seconds(30)), 0);
}

TEST(IcmpChecks, LossInATestNamespaceIsMeasuredAndRepliesFromElsewhereIgnored) {
  if (geteuid() != 0) GTEST_SKIP() << "creating a network namespace needs root";
  LossyNamespace netns;
  test::TempDir dir;
  test::ChildProcess::Options options;
  options.stdout_file = dir.path() / "responder.out";
  options.stderr_file = dir.path() / "responder.out";
  test::ChildProcess responder({"ip", "netns", "exec", netns.name(), "/usr/bin/python3",
                                (test::source_dir() / "tests/e2e/icmp_responder.py").string(),
                                netns.address(2), netns.address(3)},
                               options);
  ASSERT_TRUE(test::eventually(
      [&] { return read_file(dir.path() / "responder.out").find("ready") != std::string::npos; },
      seconds(20)))
      << read_file(dir.path() / "responder.out");

  test::DevBroker broker({{"healthcheck", 1}});
  const std::string lossy = "icmp://" + netns.address(2);
  const std::string silent = "icmp://" + netns.address(3);
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << producer_config(broker, "    - url: " + lossy +
                                                       "\n"
                                                       "      count: 4\n"
                                                       "      interval_ms: 50\n"
                                                       "      max_loss_percent: 25\n"
                                                       "    - url: " +
                                                       silent +
                                                       "\n"
                                                       "      count: 2\n"
                                                       "      interval_ms: 50\n");
  test::ChildProcess producer = start_producer(broker, config);
  const auto started = std::chrono::steady_clock::now();
  // About four checks of each site (read back whole once the producer has stopped).
  ASSERT_TRUE(test::eventually(
      [&] { return test::topic_record_count(broker.bootstrap_servers(), "healthcheck", 1) >= 8; },
      seconds(60)))
      << read_file(dir.path() / "hc.log");
  const ProducerRun run = stop_producer(producer, config, started);
  ASSERT_EQ(run.exit_code, 0) << run.log;
  std::map<std::string, std::vector<Measurement>> messages = published(broker);
  ASSERT_GE(messages[lossy].size(), 2U);
  ASSERT_GE(messages[silent].size(), 2U);

  // Every other request answered: 2 of 4 lost, each check, judged against max_loss_percent.
  for (const Measurement& m : messages.at(lossy)) {
    expect_consistent(m);
    EXPECT_EQ(m.loss_percent, 50) << m.error_detail;
    EXPECT_EQ(m.healthy, false);
    EXPECT_EQ(m.failed_conditions, std::vector<std::string>{"loss"});
  }
  // Three replies to each request, all from the other address: none counts.
  for (const Measurement& m : messages.at(silent)) {
    expect_consistent(m);
    EXPECT_EQ(m.loss_percent, 100);
    EXPECT_EQ(m.error, "timeout");
    EXPECT_EQ(m.healthy, false);
  }
}

// Floods 127.0.0.1 with ICMP from a raw socket until stopped: for every echo request it sees,
// three copies of the right reply, one with another payload and one cut short; between them,
// echo replies with random identifiers and sequences, and random bytes.
class IcmpStorm {
 public:
  IcmpStorm() : socket_(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP)) {
    if (socket_ < 0) throw std::runtime_error("raw ICMP socket for the storm");
    thread_ = std::thread([this] { run(); });
  }
  ~IcmpStorm() {
    stop_ = true;
    thread_.join();
    ::close(socket_);
  }
  IcmpStorm(const IcmpStorm&) = delete;
  IcmpStorm& operator=(const IcmpStorm&) = delete;

  long copies_sent() const { return copies_; }
  long garbage_sent() const { return garbage_; }

 private:
  static std::uint16_t checksum(const std::vector<unsigned char>& bytes) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
    if (bytes.size() % 2 == 1) sum += bytes.back() << 8;
    while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
  }
  static void seal(std::vector<unsigned char>& icmp) {
    icmp[2] = icmp[3] = 0;
    const std::uint16_t sum = checksum(icmp);
    icmp[2] = static_cast<unsigned char>(sum >> 8);
    icmp[3] = static_cast<unsigned char>(sum & 0xff);
  }
  void send(const std::vector<unsigned char>& icmp, const sockaddr_in& to) {
    ::sendto(socket_, icmp.data(), icmp.size(), 0, reinterpret_cast<const sockaddr*>(&to),
             sizeof to);
  }
  void run() {
    std::mt19937 random(25);
    std::uniform_int_distribution<int> byte(0, 255);
    sockaddr_in loopback{};
    loopback.sin_family = AF_INET;
    loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::array<unsigned char, 2048> buffer{};
    while (!stop_) {
      pollfd watched{socket_, POLLIN, 0};
      ::poll(&watched, 1, 1);
      for (int i = 0; i < 64; ++i) {
        sockaddr_in from{};
        socklen_t length = sizeof from;
        const ssize_t got = ::recvfrom(socket_, buffer.data(), buffer.size(), 0,
                                       reinterpret_cast<sockaddr*>(&from), &length);
        if (got <= 0) break;
        const std::size_t header = std::size_t{buffer[0] & 0x0fU} * 4;
        if (static_cast<std::size_t>(got) < header + 8 || buffer[header] != 8) continue;
        std::vector<unsigned char> reply(buffer.begin() + static_cast<long>(header),
                                         buffer.begin() + got);
        reply[0] = 0;
        seal(reply);
        for (int copy = 0; copy < 3; ++copy) send(reply, from);
        std::vector<unsigned char> other_payload = reply;
        other_payload.back() ^= 0x5a;
        seal(other_payload);
        send(other_payload, from);
        send(std::vector<unsigned char>(reply.begin(), reply.begin() + 6), from);
        copies_ += 5;
      }
      for (int i = 0; i < 50; ++i) {
        std::vector<unsigned char> packet(i % 2 == 0 ? 24 : static_cast<std::size_t>(i));
        for (auto& b : packet) b = static_cast<unsigned char>(byte(random));
        if (i % 2 == 0) {
          packet[0] = 0;
          packet[1] = 0;
          seal(packet);  // a well-formed echo reply to someone (random identifier and sequence)
        }
        send(packet, loopback);
        ++garbage_;
      }
    }
  }

  int socket_;
  std::atomic<bool> stop_{false};
  std::atomic<long> copies_{0};
  std::atomic<long> garbage_{0};
  std::thread thread_;
};

TEST(IcmpChecks, AReplyStormNeitherStallsNorCorruptsTheChecks) {
  if (geteuid() != 0) GTEST_SKIP() << "the storm needs a raw socket";
  test::DevBroker broker({{"healthcheck", 1}});
  test::TempDir dir;
  test::TcpServer banner([](int fd) { test::send_all(fd, "220 hc-test\r\n"); });
  IcmpStorm storm;
  const std::string first = "icmp://127.0.0.1";
  const std::string second = "icmp://127.0.0.2";
  const std::string control = "tcp://127.0.0.1:" + std::to_string(banner.port());
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << producer_config(
      broker, "    - url: " + first + "\n      count: 5\n      interval_ms: 20\n" +
                  "    - url: " + second + "\n      count: 5\n      interval_ms: 20\n" +
                  "    - url: " + control + "\n      expect: \"^220 \"\n");
  test::ChildProcess producer = start_producer(broker, config);
  const auto started = std::chrono::steady_clock::now();
  // About six checks of each site, made in the storm (a stalled check loop makes none).
  ASSERT_TRUE(test::eventually(
      [&] { return test::topic_record_count(broker.bootstrap_servers(), "healthcheck", 1) >= 18; },
      seconds(60)))
      << read_file(dir.path() / "hc.log");
  const ProducerRun run = stop_producer(producer, config, started);
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_GT(storm.copies_sent(), 0) << "the storm saw none of the checks' requests";
  EXPECT_GT(storm.garbage_sent(), 1000);
  std::map<std::string, std::vector<Measurement>> messages = published(broker);
  for (const std::string& url : {first, second}) {
    ASSERT_GE(messages[url].size(), 3U) << url;
    for (const Measurement& m : messages.at(url)) {
      expect_consistent(m);
      EXPECT_EQ(m.healthy, true) << url << ": " << m.error_detail;
    }
  }
  ASSERT_GE(messages[control].size(), 3U);
  for (const Measurement& m : messages.at(control)) EXPECT_EQ(m.healthy, true);
}

// ping_group_range "1 0" (this machine's) refuses unprivileged ICMP sockets to every group.
bool datagram_icmp_refused_to_root() {
  std::ifstream range("/proc/sys/net/ipv4/ping_group_range");
  long low = 1;
  long high = 0;
  range >> low >> high;
  return !(low <= 0 && 0 <= high);
}

TEST(IcmpChecks, WithoutCapNetRawAnIcmpSiteIsAConfigErrorAtItsLine) {
  if (geteuid() != 0 || !datagram_icmp_refused_to_root()) {
    GTEST_SKIP() << "needs root and net.ipv4.ping_group_range excluding group 0";
  }
  test::TempDir dir;
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config) << "healthcheck-producer-config:\n"
                           "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                           "  defaults: {destination_topic: healthcheck}\n"
                           "  websites:\n"
                           "    - url: tcp://127.0.0.1:9\n"
                           "    - url: icmp://127.0.0.1\n";
  const std::vector<std::string> without_raw = {"setpriv", "--bounding-set=-net_raw",
                                                "--inh-caps=-net_raw"};
  for (const char* command : {"check-config", "--producer"}) {
    std::vector<std::string> argv = without_raw;
    argv.push_back(test::hc_binary().string());
    if (std::string(command) == "--producer") {
      argv.insert(argv.end(), {"--producer", "-c", config.string()});
    } else {
      argv.insert(argv.end(), {"check-config", "-c", config.string()});
    }
    const test::CommandResult result = test::run_command(argv, seconds(30));
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.output;
    EXPECT_NE(result.output.find(config.string() +
                                 ":6:12: healthcheck-producer-config.websites[1].url: an icmp "
                                 "check needs an ICMP socket"),
              std::string::npos)
        << command << ": " << result.output;
    EXPECT_NE(result.output.find("CAP_NET_RAW"), std::string::npos) << result.output;
  }
  // With the capability the same file is valid.
  const test::CommandResult with_raw =
      test::run_command({test::hc_binary().string(), "check-config", "-c", config.string()});
  EXPECT_EQ(with_raw.exit_code, 0) << with_raw.output;
}

}  // namespace
}  // namespace hc::e2e
