// The ICMP echo codec and the book of requests awaiting replies: what a raw socket may hand the
// icmp checker (replies to others, forged, cut short, duplicated) is never counted as a reply.
#include "hc/producer/icmp_echo.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace hc::producer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;

constexpr std::uint64_t kCookie = 0x0123456789abcdefULL;
constexpr std::uint16_t kIdentifier = 0x4242;
constexpr std::uint32_t kTarget = 0x0100007f;  // 127.0.0.1 in network byte order
constexpr std::uint32_t kOther = 0x0200007f;   // 127.0.0.2

// `icmp` behind a 20-byte IPv4 header (protocol ICMP), as a raw socket delivers it.
std::vector<unsigned char> with_ip_header(const std::vector<unsigned char>& icmp) {
  std::vector<unsigned char> packet = {0x45, 0, 0, static_cast<unsigned char>(20 + icmp.size()),
                                       0,    0, 0, 0,
                                       64,   1, 0, 0,
                                       127,  0, 0, 1,
                                       127,  0, 0, 1};
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  return packet;
}

TEST(EchoPacket, ARequestCarriesItsFieldsAndAValidChecksum) {
  const auto request = echo_request(kIdentifier, 7, EchoPayload{kCookie, 99});
  ASSERT_EQ(request.size(), kEchoHeaderBytes + kEchoPayloadBytes);
  EXPECT_EQ(request[0], 8);
  EXPECT_EQ(request[1], 0);
  EXPECT_EQ(internet_checksum(request), 0);
  // A request is not a reply, with or without an IP header.
  EXPECT_FALSE(parse_echo_reply(request, false));
  EXPECT_FALSE(parse_echo_reply(with_ip_header(request), true));
}

TEST(EchoPacket, AReplyIsReadWithOrWithoutItsIpHeader) {
  const auto reply = echo_reply(kIdentifier, 7, EchoPayload{kCookie, 99});
  const EchoReply expected{kIdentifier, 7, EchoPayload{kCookie, 99}};
  EXPECT_EQ(parse_echo_reply(reply, false), expected);
  EXPECT_EQ(parse_echo_reply(with_ip_header(reply), true), expected);
  // The same bytes read the other way are refused, not misread.
  EXPECT_FALSE(parse_echo_reply(reply, true));
  EXPECT_FALSE(parse_echo_reply(with_ip_header(reply), false));
}

TEST(EchoPacket, TruncatedOrCorruptedRepliesAreRefused) {
  const auto reply = echo_reply(kIdentifier, 7, EchoPayload{kCookie, 99});
  for (std::size_t length = 0; length < reply.size(); ++length) {
    const std::vector<unsigned char> cut(reply.begin(),
                                         reply.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_FALSE(parse_echo_reply(cut, false)) << length;
    EXPECT_FALSE(parse_echo_reply(with_ip_header(cut), true)) << length;
  }
  auto longer = reply;
  longer.push_back(0);
  EXPECT_FALSE(parse_echo_reply(longer, false));
  for (std::size_t at = 0; at < reply.size(); ++at) {
    auto flipped = reply;
    flipped[at] ^= 0x10;  // any one changed bit breaks the checksum (or the type)
    EXPECT_FALSE(parse_echo_reply(flipped, false)) << at;
  }
  auto unreachable = echo_reply(kIdentifier, 7, EchoPayload{kCookie, 99});
  unreachable[0] = 3;
  EXPECT_FALSE(parse_echo_reply(unreachable, false));
}

TEST(EchoPacket, AnIpHeaderIsCheckedAgainstTheBytesReceived) {
  const auto reply = with_ip_header(echo_reply(1, 2, EchoPayload{3, 4}));
  auto too_long_header = reply;
  too_long_header[0] = 0x4f;  // IHL 15: 60 bytes, more than the header and reply here hold
  EXPECT_FALSE(parse_echo_reply(too_long_header, true));
  auto short_header = reply;
  short_header[0] = 0x44;  // IHL 4: less than an IPv4 header
  EXPECT_FALSE(parse_echo_reply(short_header, true));
  auto ipv6 = reply;
  ipv6[0] = 0x65;
  EXPECT_FALSE(parse_echo_reply(ipv6, true));
  auto udp = reply;
  udp[9] = 17;
  EXPECT_FALSE(parse_echo_reply(udp, true));
  auto lying_total_length = reply;  // the total length field is not trusted, nor needed
  lying_total_length[2] = 0xff;
  lying_total_length[3] = 0xff;
  EXPECT_TRUE(parse_echo_reply(lying_total_length, true));
}

TEST(EchoPacket, RandomBytesNeverCrashTheParser) {
  std::mt19937 random(25);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<std::size_t> length(0, 80);
  for (int i = 0; i < 20000; ++i) {
    std::vector<unsigned char> packet(length(random));
    for (auto& b : packet) b = static_cast<unsigned char>(byte(random));
    if (!packet.empty() && i % 2 == 0) packet[0] = 0x45;
    (void)parse_echo_reply(packet, i % 2 == 0);
  }
}

class Book : public ::testing::Test {
 protected:
  void SetUp() override { book_.set_identifier(kIdentifier); }
  EchoReply reply(std::uint16_t sequence, std::uint64_t serial) const {
    return EchoReply{kIdentifier, sequence, EchoPayload{kCookie, serial}};
  }
  EchoBook book_{kCookie};
  Clock::time_point sent_ = Clock::now();
};

TEST_F(Book, AReplyToAnAwaitedRequestIsTakenOnceWithItsRoundTrip) {
  const auto sequence = book_.add(5, kTarget, sent_);
  ASSERT_TRUE(sequence);
  const auto match = book_.take(reply(*sequence, 5), kTarget, sent_ + microseconds(1500));
  ASSERT_TRUE(match);
  EXPECT_EQ(match->serial, 5U);
  EXPECT_EQ(match->round_trip, microseconds(1500));
  EXPECT_EQ(book_.awaiting(), 0U);
  // The duplicate of that reply counts for nothing.
  EXPECT_FALSE(book_.take(reply(*sequence, 5), kTarget, sent_ + microseconds(1600)));
}

TEST_F(Book, RepliesToOthersAreIgnoredAndLeaveTheRequestAwaited) {
  const auto sequence = book_.add(5, kTarget, sent_);
  ASSERT_TRUE(sequence);
  EchoReply wrong_identifier = reply(*sequence, 5);
  wrong_identifier.identifier ^= 1;
  EchoReply wrong_cookie = reply(*sequence, 5);
  wrong_cookie.payload.cookie ^= 1;
  const auto now = sent_ + microseconds(10);
  EXPECT_FALSE(book_.take(wrong_identifier, kTarget, now));
  EXPECT_FALSE(book_.take(wrong_cookie, kTarget, now));
  EXPECT_FALSE(book_.take(reply(*sequence + 1, 5), kTarget, now)) << "a sequence never sent";
  EXPECT_FALSE(book_.take(reply(*sequence, 6), kTarget, now)) << "another check's serial";
  EXPECT_FALSE(book_.take(reply(*sequence, 5), kOther, now)) << "from another address";
  EXPECT_EQ(book_.awaiting(), 1U);
  EXPECT_TRUE(book_.take(reply(*sequence, 5), kTarget, now));
}

TEST_F(Book, AReleasedRequestIsNoLongerAnswered) {
  const auto sequence = book_.add(5, kTarget, sent_);
  ASSERT_TRUE(sequence);
  book_.release(*sequence);
  EXPECT_FALSE(book_.take(reply(*sequence, 5), kTarget, sent_));
}

TEST_F(Book, SequencesAwaitedAreNotGivenAgainAndRunOutAt65536) {
  std::vector<std::uint16_t> given;
  for (int i = 0; i < 65536; ++i) {
    const auto sequence = book_.add(1, kTarget, sent_);
    ASSERT_TRUE(sequence) << i;
    given.push_back(*sequence);
  }
  EXPECT_FALSE(book_.add(1, kTarget, sent_));
  book_.release(given[1000]);
  EXPECT_EQ(book_.add(2, kTarget, sent_), given[1000]);
}

}  // namespace
}  // namespace hc::producer
