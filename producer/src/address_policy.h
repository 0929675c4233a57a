// Where a redirect may lead: the one place that decides by the address a hop actually
// connects to (checked as the socket is opened, so a name that resolves differently between a
// check and the connect cannot slip past).
//
// Rules, for every hop after the first (the first is the configured site, always allowed):
//   - Link-local addresses (169.254.0.0/16, fe80::/10; cloud metadata services live there) are
//     refused unless the site's own first hop connected to a link-local address.
//   - With deny_loopback: 127.0.0.0/8 and ::1 likewise, unless the site itself is loopback.
//   - With deny_private: 10/8, 172.16/12, 192.168/16 and fc00::/7 likewise, unless the site
//     itself is in a private range.
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address.
//
// Pure; Thread: any.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace hc::producer {

enum class AddressRange { kLinkLocal, kLoopback, kPrivate, kOther };

// The range of an IPv4 or IPv6 socket address; kOther for any other family.
AddressRange address_range(const sockaddr& address);

// "169.254.169.254", "fe80::1": for messages.
std::string address_text(const sockaddr& address);

struct RedirectDeny {
  bool loopback = false;
  bool private_ranges = false;
  bool operator==(const RedirectDeny&) const = default;
};

// Why a redirect hop may not connect to an address in `target`, the site's first hop having
// connected to one in `site` ("a link-local address", "a private address (redirect_deny)");
// nullopt when it may.
std::optional<std::string> redirect_address_refusal(AddressRange target, AddressRange site,
                                                    const RedirectDeny& deny);

}  // namespace hc::producer
