// ICMP echo packets (RFC 792) for the icmp checks: the request hc sends, the strict reading of
// what comes back, and the book of requests awaiting a reply. A raw ICMP socket sees every
// ICMP packet the host receives (other checks', other processes', forged ones), so a reply
// counts only when everything matches: type echo reply, code 0, a valid checksum, the socket's
// identifier, a sequence number awaiting a reply, hc's cookie and the check's serial in the
// payload, and the address the request went to. Each request is answered at most once: a
// duplicate is ignored. No length in a packet is trusted: only the bytes received are read.
//
// Thread: any (pure functions); an EchoBook belongs to one thread (IcmpChecker's loop).
// Public (hc/producer/) for fuzz/icmp_echo_reply_fuzzer.cpp, which checks this contract.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace hc::producer {

// What hc puts in every echo request's data, and finds again in the reply.
struct EchoPayload {
  std::uint64_t cookie = 0;  // random per socket: tells hc's requests from anyone else's
  std::uint64_t serial = 0;  // the check the request belongs to
  bool operator==(const EchoPayload&) const = default;
};
inline constexpr std::size_t kEchoHeaderBytes = 8;
inline constexpr std::size_t kEchoPayloadBytes = 16;

// The Internet checksum (RFC 1071) of bytes.
std::uint16_t internet_checksum(std::span<const unsigned char> bytes);

// An echo request (type 8), checksum set: 8 header bytes and the 16 payload bytes.
std::vector<unsigned char> echo_request(std::uint16_t identifier, std::uint16_t sequence,
                                        const EchoPayload& payload);
// The echo reply (type 0) a host sends to that request: the same fields, checksum set. What
// parse_echo_reply accepts; the tests and the fuzzer build the replies they send with it.
std::vector<unsigned char> echo_reply(std::uint16_t identifier, std::uint16_t sequence,
                                      const EchoPayload& payload);

struct EchoReply {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  EchoPayload payload;
  bool operator==(const EchoReply&) const = default;
};

// The echo reply in `packet` (what recv returned), or nullopt when it is not a well-formed
// echo reply carrying hc's payload (another type, a bad checksum, too short). with_ip_header:
// raw sockets deliver the IPv4 header first (its length from its IHL, checked against the
// bytes received); datagram ICMP sockets deliver the ICMP message alone.
std::optional<EchoReply> parse_echo_reply(std::span<const unsigned char> packet,
                                          bool with_ip_header);

// The requests of one socket awaiting replies, by sequence number.
class EchoBook {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EchoBook(std::uint64_t cookie) : cookie_(cookie) {}
  std::uint64_t cookie() const { return cookie_; }
  // The identifier replies must carry (a raw socket's own choice; a datagram socket's port).
  void set_identifier(std::uint16_t identifier) { identifier_ = identifier; }
  std::uint16_t identifier() const { return identifier_; }

  // Records a request of check `serial` to IPv4 address `target` (network byte order) sent
  // at `sent`; returns its sequence number, nullopt when all 65536 await replies.
  std::optional<std::uint16_t> add(std::uint64_t serial, std::uint32_t target,
                                   Clock::time_point sent);

  struct Match {
    std::uint64_t serial = 0;
    std::uint16_t sequence = 0;
    std::chrono::microseconds round_trip{0};
  };
  // The request `reply` from `source` (network byte order) answers, taken out of the book;
  // nullopt for anything else: another identifier, cookie or serial, a sequence not awaited
  // (never sent, already answered, given up), another source.
  std::optional<Match> take(const EchoReply& reply, std::uint32_t source,
                            Clock::time_point received);
  // Stops awaiting a request (its check ended).
  void release(std::uint16_t sequence) { awaiting_.erase(sequence); }
  std::size_t awaiting() const { return awaiting_.size(); }

 private:
  struct Request {
    std::uint64_t serial;
    std::uint32_t target;
    Clock::time_point sent;
  };
  std::uint64_t cookie_;
  std::uint16_t identifier_ = 0;
  std::uint16_t next_sequence_ = 0;
  std::unordered_map<std::uint16_t, Request> awaiting_;
};

}  // namespace hc::producer
