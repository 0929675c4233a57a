#include "hc/producer/icmp_echo.h"

namespace hc::producer {
namespace {

constexpr unsigned char kEchoReplyType = 0;
constexpr unsigned char kEchoRequestType = 8;
constexpr std::size_t kIpv4MinHeaderBytes = 20;
constexpr unsigned char kIcmpProtocol = 1;

void put_u16(std::vector<unsigned char>& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<unsigned char>(value >> 8);
  out[at + 1] = static_cast<unsigned char>(value & 0xff);
}

void put_u64(std::vector<unsigned char>& out, std::size_t at, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i) {
    out[at + i] = static_cast<unsigned char>(value >> (56 - 8 * i));
  }
}

std::uint16_t u16_at(std::span<const unsigned char> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

std::uint64_t u64_at(std::span<const unsigned char> bytes, std::size_t at) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | bytes[at + i];
  return value;
}

// An echo message of `type` (code 0) with hc's payload, checksum set.
std::vector<unsigned char> echo_message(unsigned char type, std::uint16_t identifier,
                                        std::uint16_t sequence, const EchoPayload& payload) {
  std::vector<unsigned char> packet(kEchoHeaderBytes + kEchoPayloadBytes, 0);
  packet[0] = type;
  put_u16(packet, 4, identifier);
  put_u16(packet, 6, sequence);
  put_u64(packet, kEchoHeaderBytes, payload.cookie);
  put_u64(packet, kEchoHeaderBytes + 8, payload.serial);
  put_u16(packet, 2, internet_checksum(packet));
  return packet;
}

}  // namespace

std::uint16_t internet_checksum(std::span<const unsigned char> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += u16_at(bytes, i);
  if (bytes.size() % 2 == 1) sum += static_cast<std::uint32_t>(bytes.back()) << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::vector<unsigned char> echo_request(std::uint16_t identifier, std::uint16_t sequence,
                                        const EchoPayload& payload) {
  return echo_message(kEchoRequestType, identifier, sequence, payload);
}

std::vector<unsigned char> echo_reply(std::uint16_t identifier, std::uint16_t sequence,
                                      const EchoPayload& payload) {
  return echo_message(kEchoReplyType, identifier, sequence, payload);
}

std::optional<EchoReply> parse_echo_reply(std::span<const unsigned char> packet,
                                          bool with_ip_header) {
  if (with_ip_header) {
    if (packet.size() < kIpv4MinHeaderBytes || (packet[0] >> 4) != 4 ||
        packet[9] != kIcmpProtocol) {
      return std::nullopt;
    }
    const std::size_t header_bytes = std::size_t{packet[0] & 0x0fU} * 4;
    if (header_bytes < kIpv4MinHeaderBytes || header_bytes > packet.size()) return std::nullopt;
    packet = packet.subspan(header_bytes);
  }
  // Exactly hc's payload: a reply echoes the request's data unchanged.
  if (packet.size() != kEchoHeaderBytes + kEchoPayloadBytes) return std::nullopt;
  if (packet[0] != kEchoReplyType || packet[1] != 0) return std::nullopt;
  if (internet_checksum(packet) != 0) return std::nullopt;
  EchoReply reply;
  reply.identifier = u16_at(packet, 4);
  reply.sequence = u16_at(packet, 6);
  reply.payload.cookie = u64_at(packet, kEchoHeaderBytes);
  reply.payload.serial = u64_at(packet, kEchoHeaderBytes + 8);
  return reply;
}

std::optional<std::uint16_t> EchoBook::add(std::uint64_t serial, std::uint32_t target,
                                           Clock::time_point sent) {
  constexpr std::size_t kSequences = 65536;
  if (awaiting_.size() >= kSequences) return std::nullopt;
  while (awaiting_.contains(next_sequence_)) ++next_sequence_;
  const std::uint16_t sequence = next_sequence_++;
  awaiting_.emplace(sequence, Request{serial, target, sent});
  return sequence;
}

std::optional<EchoBook::Match> EchoBook::take(const EchoReply& reply, std::uint32_t source,
                                              Clock::time_point received) {
  if (reply.identifier != identifier_ || reply.payload.cookie != cookie_) return std::nullopt;
  const auto found = awaiting_.find(reply.sequence);
  if (found == awaiting_.end()) return std::nullopt;
  const Request& request = found->second;
  if (request.serial != reply.payload.serial || request.target != source) return std::nullopt;
  Match match{request.serial, reply.sequence,
              std::chrono::duration_cast<std::chrono::microseconds>(received - request.sent)};
  awaiting_.erase(found);
  return match;
}

}  // namespace hc::producer
