// The target of a dns:// site: "dns://SERVER[:PORT]/NAME[?type=TYPE]" asks SERVER (an IP
// address; port 53 by default) for NAME's records of TYPE (A by default);
// "dns:///NAME[?type=TYPE]" asks the system's resolvers (/etc/resolv.conf).
//
// Thread: any (pure functions).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "hc/common/host_port.h"

namespace hc {

// The record types a dns check may ask for.
inline constexpr std::array<std::string_view, 6> kDnsRecordTypes = {"A",  "AAAA", "CNAME",
                                                                    "MX", "TXT",  "NS"};

struct DnsTarget {
  std::optional<HostPort> server;  // nullopt: the system's resolvers; host is an IP literal
  std::string name;                // the name asked for, without a trailing '.'
  std::string record_type = "A";   // one of kDnsRecordTypes (upper case)
  bool operator==(const DnsTarget&) const = default;
};

// The target of `url`, or what is wrong with it (for a config error).
std::variant<DnsTarget, std::string> parse_dns_url(std::string_view url);

}  // namespace hc
