// Fuzzes the ICMP echo reply parser and the book that matches replies to requests
// (producer/include/hc/producer/icmp_echo.h): what a raw ICMP socket hands the icmp checker
// is anyone's packet, so a reply may count only when it is exactly the answer to a request hc
// sent and still awaits.
//
// Input: 24 bytes that set up one socket's book, then the packet as recv returned it.
//   [0]      flags: 1 = the packet carries an IPv4 header (a raw socket), 2 = it comes from
//            another address than the requests went to, 4 = the first request is released
//            (its check ended) before the packet arrives
//   [1..8]   the socket's cookie      [9..10]  its identifier
//   [11..18] the first request's serial (request i has serial + i)
//   [19..22] the address the requests went to      [23] requests sent: 1 + [23] % 8
// Shorter inputs are padded with zeros (an empty packet). The seeds in
// fuzz/corpus/icmp_echo_reply/ are replies built as tests/producer/icmp_echo_test.cpp builds
// them (echo_request, type set to 0, checksum recomputed), to the requests their book sent or
// not, and two IPv4 headers whose IHL disagrees with the bytes received.
//
// Invariants, for any bytes:
//   - parse_echo_reply never crashes and reads only the bytes given (ASan);
//   - an accepted reply is the ICMP message echo_request(identifier, sequence, payload) with
//     type 0 and its checksum recomputed, byte for byte, for the fields it reports (the
//     checksum field may hold 0xffff where the recomputed one is 0x0000: both are zero in
//     ones' complement, RFC 1624 section 3, and both verify);
//   - conversely, a 24-byte message that is such a reply is accepted, with those fields;
//   - with an IPv4 header: accepted only when the version is 4, the protocol ICMP, the IHL at
//     least 5 and the IHL's header plus the 24-byte reply exactly the bytes received; the
//     reply is then what the ICMP message alone parses to;
//   - EchoBook::take matches a reply exactly when its identifier and cookie are the socket's,
//     its sequence awaits a reply, its serial is that request's and it comes from the address
//     that request went to; a match carries that serial, sequence and round trip, and takes
//     the request out of the book (its duplicate then matches nothing); no match leaves the
//     book as it was.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "hc/producer/icmp_echo.h"

namespace {

using hc::producer::EchoBook;
using hc::producer::EchoPayload;
using hc::producer::EchoReply;
using hc::producer::kEchoHeaderBytes;
using hc::producer::kEchoPayloadBytes;

constexpr std::size_t kWorldBytes = 24;
constexpr std::size_t kReplyBytes = kEchoHeaderBytes + kEchoPayloadBytes;
constexpr std::size_t kIpv4MinHeaderBytes = 20;

std::uint64_t read_be(std::span<const unsigned char> bytes, std::size_t at, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[at + i];
  return value;
}

// The reply a host sends to echo_request(...) of the reply's fields.
std::vector<unsigned char> canonical_reply(const EchoReply& reply) {
  return hc::producer::echo_reply(reply.identifier, reply.sequence, reply.payload);
}

// The fields a 24-byte ICMP message would report, read here independently of the parser.
EchoReply fields_of(std::span<const unsigned char> icmp) {
  return EchoReply{
      static_cast<std::uint16_t>(read_be(icmp, 4, 2)),
      static_cast<std::uint16_t>(read_be(icmp, 6, 2)),
      EchoPayload{read_be(icmp, kEchoHeaderBytes, 8), read_be(icmp, kEchoHeaderBytes + 8, 8)}};
}

// Whether `icmp` is canonical_reply(reply) but for the checksum's two spellings of zero.
bool is_reply_to(std::span<const unsigned char> icmp, const EchoReply& reply) {
  const std::vector<unsigned char> expected = canonical_reply(reply);
  if (icmp.size() != expected.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i == 2 || i == 3) continue;
    if (icmp[i] != expected[i]) return false;
  }
  const auto got = static_cast<std::uint16_t>(read_be(icmp, 2, 2));
  const auto want = static_cast<std::uint16_t>(read_be(expected, 2, 2));
  return got == want || (want == 0x0000 && got == 0xffff);
}

// The ICMP message inside `packet` as the parser must find it, nullopt when the IPv4 header
// is not one a reply may come behind.
std::optional<std::span<const unsigned char>> icmp_part(std::span<const unsigned char> packet,
                                                        bool with_ip_header) {
  if (!with_ip_header) return packet;
  if (packet.size() < kIpv4MinHeaderBytes || (packet[0] >> 4) != 4 || packet[9] != 1) {
    return std::nullopt;
  }
  const std::size_t header_bytes = std::size_t{packet[0] & 0x0fU} * 4;
  if (header_bytes < kIpv4MinHeaderBytes || header_bytes > packet.size()) return std::nullopt;
  return packet.subspan(header_bytes);
}

void check_parse(std::span<const unsigned char> packet, bool with_ip_header,
                 const std::optional<EchoReply>& reply) {
  const std::optional<std::span<const unsigned char>> icmp = icmp_part(packet, with_ip_header);
  if (reply) {
    FUZZ_CHECK(icmp.has_value(), "a reply accepted behind an IPv4 header it should refuse");
    FUZZ_CHECK(icmp->size() == kReplyBytes, "an accepted reply is not 24 bytes");
    FUZZ_CHECK(is_reply_to(*icmp, *reply),
               "an accepted reply is not the reply to the request its fields name");
    if (with_ip_header) {
      FUZZ_CHECK(hc::producer::parse_echo_reply(*icmp, false) == reply,
                 "the reply behind an IPv4 header reads differently alone");
    }
    return;
  }
  if (icmp && icmp->size() == kReplyBytes) {
    FUZZ_CHECK(!is_reply_to(*icmp, fields_of(*icmp)), "a well-formed reply was refused");
  }
}

struct Sent {
  std::uint64_t serial;
  std::uint32_t target;
  EchoBook::Clock::time_point at;
};

void check_book(std::span<const unsigned char> world, const EchoReply& reply) {
  const std::uint8_t flags = world[0];
  const std::uint64_t cookie = read_be(world, 1, 8);
  const auto identifier = static_cast<std::uint16_t>(read_be(world, 9, 2));
  const std::uint64_t serial = read_be(world, 11, 8);
  const auto target = static_cast<std::uint32_t>(read_be(world, 19, 4));
  const int requests = 1 + world[23] % 8;
  const auto start = EchoBook::Clock::time_point{} + std::chrono::hours(1);

  EchoBook book(cookie);
  book.set_identifier(identifier);
  std::map<std::uint16_t, Sent> awaiting;  // what the book must hold, by sequence
  std::optional<std::uint16_t> first;
  for (int i = 0; i < requests; ++i) {
    const Sent sent{serial + static_cast<std::uint64_t>(i), target,
                    start + std::chrono::milliseconds(i)};
    const std::optional<std::uint16_t> sequence = book.add(sent.serial, sent.target, sent.at);
    FUZZ_CHECK(sequence.has_value(), "a book with free sequences gave none");
    FUZZ_CHECK(!awaiting.contains(*sequence), "a sequence awaiting a reply was given again");
    awaiting.emplace(*sequence, sent);
    if (!first) first = sequence;
  }
  if ((flags & 4) != 0) {
    book.release(*first);
    awaiting.erase(*first);
  }
  FUZZ_CHECK(book.awaiting() == awaiting.size(), "the book holds other requests than sent");

  const std::uint32_t source = (flags & 2) != 0 ? target ^ 0x01000000U : target;
  const auto received = start + std::chrono::seconds(1);
  const auto found = awaiting.find(reply.sequence);
  const bool answers = reply.identifier == identifier && reply.payload.cookie == cookie &&
                       found != awaiting.end() && found->second.serial == reply.payload.serial &&
                       found->second.target == source;
  const std::optional<EchoBook::Match> match = book.take(reply, source, received);
  FUZZ_CHECK(match.has_value() == answers, answers
                                               ? "the reply to an awaited request was not matched"
                                               : "a reply matched a request it does not answer");
  if (!match) {
    FUZZ_CHECK(book.awaiting() == awaiting.size(), "a reply not matched changed the book");
    return;
  }
  FUZZ_CHECK(match->serial == reply.payload.serial && match->sequence == reply.sequence,
             "a match names another request than the reply");
  FUZZ_CHECK(match->round_trip ==
                 std::chrono::duration_cast<std::chrono::microseconds>(received - found->second.at),
             "a match's round trip is not from its request's send");
  FUZZ_CHECK(book.awaiting() == awaiting.size() - 1, "a match left its request in the book");
  FUZZ_CHECK(!book.take(reply, source, received), "a duplicate reply matched again");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::array<unsigned char, kWorldBytes> world{};
  const std::size_t world_bytes = size < kWorldBytes ? size : kWorldBytes;
  for (std::size_t i = 0; i < world_bytes; ++i) world[i] = data[i];
  // Its own copy, so that ASan sees any read past the bytes received.
  const std::vector<unsigned char> packet(data + world_bytes, data + size);
  const bool with_ip_header = (world[0] & 1) != 0;

  const std::optional<EchoReply> reply = hc::producer::parse_echo_reply(packet, with_ip_header);
  check_parse(packet, with_ip_header, reply);
  if (reply) check_book(world, *reply);

  // The reply to a request of this book is accepted as what it is, alone and behind a plain
  // IPv4 header.
  const EchoReply own{static_cast<std::uint16_t>(read_be(world, 9, 2)),
                      static_cast<std::uint16_t>(world[23]),
                      EchoPayload{read_be(world, 1, 8), read_be(world, 11, 8)}};
  std::vector<unsigned char> own_packet = canonical_reply(own);
  FUZZ_CHECK(hc::producer::parse_echo_reply(own_packet, false) == own,
             "the reply to hc's own request was refused or misread");
  std::array<unsigned char, kIpv4MinHeaderBytes> ip_header{};
  ip_header[0] = 0x45;  // version 4, IHL 5
  ip_header[3] = kIpv4MinHeaderBytes + kReplyBytes;
  ip_header[8] = 64;  // TTL
  ip_header[9] = 1;   // ICMP
  own_packet.insert(own_packet.begin(), ip_header.begin(), ip_header.end());
  FUZZ_CHECK(hc::producer::parse_echo_reply(own_packet, true) == own,
             "the reply to hc's own request behind an IPv4 header was refused or misread");
  return 0;
}
