// dns checks through the CheckRunner against Debian's dnsmasq on a free loopback port (records
// that change while it runs, a name forwarded to a server that never answers), a server that
// answers garbage, and the answer parser on hostile bytes.
#include "dns_checker.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "hc/test/local_dns_server.h"
#include "hc/test/support.h"
#include "one_check.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

SiteConfig dns_site(int port, const std::string& name_and_type) {
  SiteConfig config;
  config.url = "dns://127.0.0.1:" + std::to_string(port) + "/" + name_and_type;
  config.check_type = CheckType::kDns;
  config.destination_topic = "t";
  config.timeout = milliseconds(3000);
  return config;
}

class DnsCheck : public ::testing::Test {
 protected:
  test::UdpServer silent_{[](const std::string&) { return std::nullopt; }};
  test::Dnsmasq dnsmasq_{silent_.port()};

  // Waits until dnsmasq answers (it starts in the background).
  void SetUp() override {
    ASSERT_TRUE(test::eventually(
        [&] {
          return check_once(dns_site(dnsmasq_.port(), "www.hc.test")).result.dns_rcode.has_value();
        },
        std::chrono::seconds(10)));
  }
};

TEST_F(DnsCheck, RecordsThatChangeAreSeenAndJudged) {
  SiteConfig config = dns_site(dnsmasq_.port(), "www.hc.test?type=A");
  config.expected_answers = {"127.0.0.2"};
  Checked first = check_once(config);
  EXPECT_FALSE(first.result.transport_error) << first.result.error_detail;
  EXPECT_EQ(first.result.dns_rcode, "NOERROR");
  EXPECT_EQ(first.result.dns_answers, std::vector<std::string>{"127.0.0.2"});
  EXPECT_TRUE(first.verdict.healthy);

  dnsmasq_.set_hosts("127.0.0.3 www.hc.test\n127.0.0.4 www.hc.test\n");
  ASSERT_TRUE(test::eventually([&] { return check_once(config).result.dns_answers.size() == 2; },
                               std::chrono::seconds(10)));
  const Checked changed = check_once(config);
  EXPECT_FALSE(changed.verdict.healthy);
  EXPECT_EQ(changed.verdict.failed_conditions, std::vector<std::string>{"expected"});

  config.expected_answers = {"127.0.0.4", "127.0.0.3"};  // any order
  EXPECT_TRUE(check_once(config).verdict.healthy);
  config.expected_answers.clear();
  config.expected_pattern = "^127\\.0\\.0\\.4$";
  EXPECT_TRUE(check_once(config).verdict.healthy);
}

TEST_F(DnsCheck, RecordTypesAreAnsweredAsText) {
  EXPECT_EQ(check_once(dns_site(dnsmasq_.port(), "hc.test?type=MX")).result.dns_answers,
            std::vector<std::string>{"10 mail.hc.test"});
  EXPECT_EQ(check_once(dns_site(dnsmasq_.port(), "hc.test?type=TXT")).result.dns_answers,
            std::vector<std::string>{"v=hc1"});
  EXPECT_EQ(check_once(dns_site(dnsmasq_.port(), "alias.hc.test?type=CNAME")).result.dns_answers,
            std::vector<std::string>{"www.hc.test"});
}

TEST_F(DnsCheck, UnknownNameIsAnRcodeNotATransportError) {
  const Checked checked = check_once(dns_site(dnsmasq_.port(), "nothing.hc.test"));
  EXPECT_FALSE(checked.result.transport_error) << checked.result.error_detail;
  EXPECT_EQ(checked.result.dns_rcode, "NXDOMAIN");
  EXPECT_EQ(checked.verdict.failed_conditions, std::vector<std::string>{"rcode"});
}

TEST_F(DnsCheck, NameWithoutAnAnswerTimesOut) {
  SiteConfig config = dns_site(dnsmasq_.port(), "www.slow.test");
  config.timeout = milliseconds(500);
  const Checked checked = check_once(config);
  ASSERT_TRUE(checked.result.transport_error);
  EXPECT_EQ(*checked.result.transport_error, CheckError::kTimeout);
  EXPECT_GE(checked.result.response_time_us, 500'000);
  EXPECT_LT(checked.result.response_time_us, 2'000'000);
}

// Hostile target: replies that carry the query's id and then garbage or stop short.
TEST(DnsCheckHostile, GarbageAndTruncatedAnswersAreDnsErrors) {
  std::mt19937 random(11);
  test::UdpServer garbage([&random](const std::string& query) -> std::optional<std::string> {
    // The query's own question (so c-ares takes it as the answer), then 5 answers promised
    // and 40 random bytes.
    std::string reply = query.substr(0, 2) + "\x81\x80";
    reply += std::string("\x00\x01\x00\x05\x00\x00\x00\x00", 8);
    reply += query.substr(12);
    reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x10\x00\x04\x7f", 13);
    for (int i = 0; i < 40; ++i) reply.push_back(static_cast<char>(random()));
    return reply;
  });
  const Checked checked = check_once(dns_site(garbage.port(), "www.hc.test"));
  ASSERT_TRUE(checked.result.transport_error);
  EXPECT_EQ(*checked.result.transport_error, CheckError::kDns) << checked.result.error_detail;
}

TEST(DnsAnswerParser, NeverReadsPastTheEndOfRandomBytes) {
  std::mt19937 random(5);
  for (int round = 0; round < 20000; ++round) {
    std::vector<unsigned char> bytes(static_cast<std::size_t>(random() % 200));
    for (auto& byte : bytes) byte = static_cast<unsigned char>(random());
    if (bytes.size() > 7 && round % 2 == 0) bytes[7] = 3;  // claim a few answers
    const auto parsed =
        parse_dns_answer(bytes.data(), static_cast<int>(bytes.size()), round % 3 ? "A" : "TXT");
    if (parsed) {
      EXPECT_LE(parsed->answers.size(), kMaxFailedConditions);
    }
  }
}

}  // namespace
}  // namespace hc::producer
