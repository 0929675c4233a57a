#include "hc/common/icmp_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hc {

SocketOpener system_socket_opener() {
  return [](int domain, int type, int protocol) { return ::socket(domain, type, protocol); };
}

IcmpSocket open_icmp_socket(const SocketOpener& open_socket) {
  constexpr int kFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  IcmpSocket result;
  result.fd = open_socket(AF_INET, SOCK_DGRAM | kFlags, IPPROTO_ICMP);
  if (result.fd >= 0) {
    result.kind = IcmpSocketKind::kDatagram;
    return result;
  }
  const int datagram_error = errno;
  result.fd = open_socket(AF_INET, SOCK_RAW | kFlags, IPPROTO_ICMP);
  if (result.fd >= 0) {
    result.kind = IcmpSocketKind::kRaw;
    return result;
  }
  const int raw_error = errno;
  result.problem = std::string("an unprivileged ICMP socket was refused (") +
                   std::strerror(datagram_error) +
                   "; allowed when the process's group is within the sysctl "
                   "net.ipv4.ping_group_range) and a raw one too (" +
                   std::strerror(raw_error) + "; needs the capability CAP_NET_RAW)";
  return result;
}

std::optional<std::string> icmp_socket_problem(const SocketOpener& open_socket) {
  IcmpSocket socket = open_icmp_socket(open_socket);
  if (!socket.kind) return std::move(socket.problem);
  ::close(socket.fd);
  return std::nullopt;
}

}  // namespace hc
