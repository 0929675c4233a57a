#include "address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>

namespace hc::producer {
namespace {

AddressRange ipv4_range(std::uint32_t host_order) {
  const auto in = [host_order](std::uint32_t network, int prefix) {
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (host_order & mask) == network;
  };
  if (in(0xA9FE0000, 16)) return AddressRange::kLinkLocal;  // 169.254.0.0/16
  if (in(0x7F000000, 8)) return AddressRange::kLoopback;    // 127.0.0.0/8
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) {
    return AddressRange::kPrivate;  // 10/8, 172.16/12, 192.168/16
  }
  return AddressRange::kOther;
}

AddressRange ipv6_range(const in6_addr& address) {
  const std::uint8_t* bytes = address.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&address)) {
    return ipv4_range(static_cast<std::uint32_t>(bytes[12]) << 24 |
                      static_cast<std::uint32_t>(bytes[13]) << 16 |
                      static_cast<std::uint32_t>(bytes[14]) << 8 | bytes[15]);
  }
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return AddressRange::kLinkLocal;  // fe80::/10
  if (IN6_IS_ADDR_LOOPBACK(&address)) return AddressRange::kLoopback;
  if ((bytes[0] & 0xfe) == 0xfc) return AddressRange::kPrivate;  // fc00::/7
  return AddressRange::kOther;
}

const char* range_name(AddressRange range) {
  switch (range) {
    case AddressRange::kLinkLocal:
      return "link-local";
    case AddressRange::kLoopback:
      return "loopback";
    case AddressRange::kPrivate:
      return "private";
    case AddressRange::kOther:
      break;
  }
  return "public";
}

}  // namespace

AddressRange address_range(const sockaddr& address) {
  if (address.sa_family == AF_INET) {
    const auto& ipv4 = reinterpret_cast<const sockaddr_in&>(address);
    return ipv4_range(ntohl(ipv4.sin_addr.s_addr));
  }
  if (address.sa_family == AF_INET6) {
    return ipv6_range(reinterpret_cast<const sockaddr_in6&>(address).sin6_addr);
  }
  return AddressRange::kOther;
}

std::string address_text(const sockaddr& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const void* bytes = nullptr;
  if (address.sa_family == AF_INET) {
    bytes = &reinterpret_cast<const sockaddr_in&>(address).sin_addr;
  } else if (address.sa_family == AF_INET6) {
    bytes = &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
  }
  if (bytes == nullptr ||
      inet_ntop(address.sa_family, bytes, text.data(), text.size()) == nullptr) {
    return "(unknown address)";
  }
  return text.data();
}

std::optional<std::string> redirect_address_refusal(AddressRange target, AddressRange site,
                                                    const RedirectDeny& deny) {
  const bool denied = target == AddressRange::kLinkLocal ||
                      (target == AddressRange::kLoopback && deny.loopback) ||
                      (target == AddressRange::kPrivate && deny.private_ranges);
  if (!denied || target == site) return std::nullopt;
  return std::string("a ") + range_name(target) + " address" +
         (target == AddressRange::kLinkLocal ? "" : " (redirect_deny)");
}

}  // namespace hc::producer
