#include "hc/common/host_port.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace hc {
namespace {

bool is_host_name(std::string_view host) {
  return !host.empty() && host.size() <= 253 && host.front() != '-' && host.front() != '.' &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_';
         });
}

}  // namespace

std::variant<HostPort, std::string> parse_host_port_url(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string("missing scheme");
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (const std::size_t extra = rest.find_first_of("/?#@"); extra != std::string_view::npos) {
    return "unexpected '" + std::string(rest.substr(extra)) +
           "': expected only host:port (no user, path, query or fragment)";
  }
  HostPort target;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::string("unclosed '[' in the host");
    target.host = std::string(rest.substr(1, close - 1));
    in6_addr address{};
    if (inet_pton(AF_INET6, target.host.c_str(), &address) != 1) {
      return std::string("expected an IPv6 address inside [ ]");
    }
    if (close + 1 >= rest.size() || rest[close + 1] != ':') return std::string("missing port");
    port_text = rest.substr(close + 2);
  } else {
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::string("missing port (host:port)");
    target.host = std::string(rest.substr(0, colon));
    if (!is_host_name(target.host)) {
      return std::string("expected a host name or address before the port");
    }
    port_text = rest.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return std::string("expected a port 1..65535");
  }
  target.port = static_cast<std::uint16_t>(port);
  return target;
}

std::variant<IcmpHost, std::string> parse_icmp_url(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string("missing scheme");
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (const std::size_t extra = rest.find_first_of("/?#@:[]"); extra != std::string_view::npos) {
    return "unexpected '" + std::string(rest.substr(extra)) +
           "': expected only a host name or IPv4 address (no port, user, path, query or "
           "fragment; IPv6 is not checked over ICMP)";
  }
  if (!is_host_name(rest)) return std::string("expected a host name or IPv4 address");
  return IcmpHost{std::string(rest)};
}

}  // namespace hc
