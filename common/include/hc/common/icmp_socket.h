// Which ICMP echo socket this process can open, decided in one place for the config check
// (`hc check-config`, the producer's start: load_config's IcmpAccessProbe) and for the checks
// themselves (producer/src/icmp_checker.h):
//   1. a datagram ICMP socket (SOCK_DGRAM, IPPROTO_ICMP): unprivileged, allowed when the
//      process's group is within net.ipv4.ping_group_range; the kernel picks the identifier
//      and hands it only the replies to it;
//   2. else a raw ICMP socket (SOCK_RAW, IPPROTO_ICMP): needs CAP_NET_RAW; it sees every ICMP
//      packet the host receives, so its replies must be filtered strictly;
//   3. else none, and the problem says which setting would allow one.
// IPv4 only.
//
// Thread: any (no state).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace hc {

enum class IcmpSocketKind { kDatagram, kRaw };

// socket(2)'s shape: a descriptor, or -1 with errno set. Injected so tests can refuse either
// kind; ::socket in production.
using SocketOpener = std::function<int(int domain, int type, int protocol)>;
SocketOpener system_socket_opener();

// An open ICMP socket (non-blocking, close-on-exec), or why none could be opened.
struct IcmpSocket {
  int fd = -1;  // owned by the caller; -1 when kind is nullopt
  std::optional<IcmpSocketKind> kind;
  std::string problem;  // when kind is nullopt: both attempts, their errors and the remedy
};
IcmpSocket open_icmp_socket(const SocketOpener& open_socket);

// nullopt when open_icmp_socket would succeed (the socket it opens is closed again), else its
// problem. The production IcmpAccessProbe (config.h) is this with system_socket_opener().
std::optional<std::string> icmp_socket_problem(const SocketOpener& open_socket);

}  // namespace hc
