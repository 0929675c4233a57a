#include "hc/common/dns_target.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace hc {
namespace {

bool is_dns_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_';
         });
}

bool is_ip_literal(const std::string& host) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

}  // namespace

std::variant<DnsTarget, std::string> parse_dns_url(std::string_view url) {
  constexpr std::string_view kScheme = "://";
  const std::size_t scheme_end = url.find(kScheme);
  if (scheme_end == std::string_view::npos) return std::string("missing scheme");
  std::string_view rest = url.substr(scheme_end + kScheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::string("missing '/NAME' (the name to resolve)");
  DnsTarget target;
  const std::string_view authority = rest.substr(0, slash);
  if (!authority.empty()) {
    const bool has_port = authority.starts_with('[')
                              ? authority.find("]:") != std::string_view::npos
                              : authority.find(':') != std::string_view::npos;
    const std::string with_port = "dns://" + std::string(authority) + (has_port ? "" : ":53");
    auto server = parse_host_port_url(with_port);
    if (auto* problem = std::get_if<std::string>(&server)) return "server: " + *problem;
    if (!is_ip_literal(std::get<HostPort>(server).host)) {
      return std::string(
          "the server must be an IP address (dns://127.0.0.1:53/NAME), or empty "
          "for the system's resolvers (dns:///NAME)");
    }
    target.server = std::get<HostPort>(server);
  }
  std::string_view path = rest.substr(slash + 1);
  std::string_view query;
  if (const std::size_t mark = path.find('?'); mark != std::string_view::npos) {
    query = path.substr(mark + 1);
    path = path.substr(0, mark);
  }
  if (path.ends_with('.')) path.remove_suffix(1);
  if (!is_dns_name(path)) return std::string("expected a DNS name after the '/'");
  target.name = std::string(path);
  if (!query.empty()) {
    constexpr std::string_view kType = "type=";
    if (!query.starts_with(kType) || query.find('&') != std::string_view::npos) {
      return std::string("expected only ?type=TYPE after the name");
    }
    std::string type(query.substr(kType.size()));
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (std::find(kDnsRecordTypes.begin(), kDnsRecordTypes.end(), type) == kDnsRecordTypes.end()) {
      return "unsupported record type '" + type + "' (A, AAAA, CNAME, MX, TXT or NS)";
    }
    target.record_type = type;
  }
  return target;
}

}  // namespace hc
