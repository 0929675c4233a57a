// The target of a tcp:// or tls:// site (and of an icmp:// site: "icmp://host", no port):
// "scheme://host:port", with an optional trailing '/' and nothing else (no user, path, query or
// fragment). An IPv6 literal is written in brackets ("tcp://[::1]:6379"); host_port_of() returns it
// without them.
//
// Thread: any (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hc {

struct HostPort {
  std::string host;  // a DNS name, an IPv4 literal or an IPv6 literal (without brackets)
  std::uint16_t port = 0;
  bool operator==(const HostPort&) const = default;
};

// The host and port of `url`, or what is wrong with it (for a config error: "missing port",
// "unexpected '/path' after the port", ...). Never resolves the host.
std::variant<HostPort, std::string> parse_host_port_url(std::string_view url);

// The host of an icmp:// `url` ("icmp://host", an optional trailing '/'; an IPv4 literal or a
// name: echo requests go over IPv4), or what is wrong with it. Never resolves the host.
struct IcmpHost {
  std::string host;
  bool operator==(const IcmpHost&) const = default;
};
std::variant<IcmpHost, std::string> parse_icmp_url(std::string_view url);

}  // namespace hc
