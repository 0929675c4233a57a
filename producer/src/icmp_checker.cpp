#include "icmp_checker.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>

#include "address_policy.h"

namespace hc::producer {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t micros_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count();
}

std::uint64_t random_cookie() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

// A raw socket's replies carry the identifier hc chose; a random one keeps two producers (or
// two check loops) on one host from sharing it.
std::uint16_t random_identifier() {
  std::random_device device;
  return static_cast<std::uint16_t>(device() & 0xffffU);
}

}  // namespace

struct IcmpChecker::Probe {
  std::uint64_t id = 0;
  std::shared_ptr<const IcmpCheckRequest> request;
  Completion done;
  SteadyClock::time_point started;
  SteadyClock::time_point first_sent;
  std::optional<std::multimap<SteadyClock::time_point, std::uint64_t>::iterator> next_send;
  std::uint64_t lookup = 0;
  bool resolving = true;
  bool resolved = false;  // the target is known: loss is measured
  sockaddr_in target{};
  int sent = 0;                         // requests sent or given up on (count at most)
  int send_failures = 0;                // of those, not sent (sendto failed, no sequence free)
  std::string send_error;               // the last sendto error
  std::vector<std::uint16_t> awaiting;  // sequence numbers not answered yet
  std::vector<std::int64_t> round_trips_us;
  CheckResult result;
};

IcmpChecker::IcmpChecker(CurlMultiLoop& loop, AsyncResolver& resolver, SocketOpener open_socket)
    : loop_(loop),
      resolver_(resolver),
      open_socket_(std::move(open_socket)),
      handler_id_(loop.add_io_handler(*this)),
      book_(random_cookie()) {}

IcmpChecker::~IcmpChecker() { cancel_all(); }

bool IcmpChecker::ensure_socket(std::string& problem) {
  if (socket_) return true;
  IcmpSocket opened = open_icmp_socket(open_socket_);
  if (!opened.kind) {
    problem = "cannot open an ICMP socket: " + opened.problem;
    return false;
  }
  UniqueFd fd(opened.fd);
  if (*opened.kind == IcmpSocketKind::kDatagram) {
    // The kernel's identifier for this socket is its port: bind to get one, and read it.
    sockaddr_in local{};
    local.sin_family = AF_INET;
    socklen_t length = sizeof local;
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      problem = std::string("cannot bind the ICMP socket: ") + std::strerror(errno);
      return false;
    }
    book_.set_identifier(ntohs(local.sin_port));
  } else {
    book_.set_identifier(random_identifier());
  }
  // Room for bursts of replies (and of other hosts' ICMP, which a raw socket sees too).
  constexpr int kReceiveBufferBytes = 1 << 20;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof kReceiveBufferBytes);
  if (const int error = loop_.watch(handler_id_, fd.get(), EPOLLIN); error != 0) {
    problem = std::string("cannot watch the ICMP socket (epoll_ctl): ") + std::strerror(error);
    return false;
  }
  socket_ = std::move(fd);
  kind_ = opened.kind;
  return true;
}

void IcmpChecker::start(std::shared_ptr<const IcmpCheckRequest> request, Completion done) {
  const SteadyClock::time_point now = SteadyClock::now();
  Probe& added = probes_.add(now + request->timeout);
  added.request = std::move(request);
  added.done = std::move(done);
  added.started = now;
  const std::uint64_t id = added.id;
  std::string problem;
  if (!ensure_socket(problem)) {
    added.resolving = false;
    fail(added, CheckError::kInternal, std::move(problem));
    return;
  }
  // May call back at once (an IP literal) and end the probe: looked up again after.
  const std::uint64_t lookup = resolver_.resolve(
      added.request->host, 0,
      [this, id](std::variant<ResolvedAddress, std::string>&& address) {
        on_resolved(id, std::move(address));
      },
      AF_INET);
  if (Probe* still = probes_.find(id); still != nullptr && still->resolving) {
    still->lookup = lookup;
  }
}

void IcmpChecker::on_resolved(std::uint64_t id,
                              std::variant<ResolvedAddress, std::string>&& address) {
  Probe* found = probes_.find(id);
  if (found == nullptr) return;
  Probe& probe = *found;
  probe.resolving = false;
  if (auto* problem = std::get_if<std::string>(&address)) {
    fail(probe, CheckError::kDns, "cannot resolve " + probe.request->host + ": " + *problem);
    return;
  }
  const ResolvedAddress& resolved = std::get<ResolvedAddress>(address);
  if (resolved.address.ss_family != AF_INET) {
    fail(probe, CheckError::kDns, probe.request->host + " has no IPv4 address");
    return;
  }
  std::memcpy(&probe.target, &resolved.address, sizeof probe.target);
  probe.resolved = true;
  probe.result.timings.dns_us = micros_since(probe.started);
  probe.result.address = address_text(*reinterpret_cast<const sockaddr*>(&probe.target));
  probe.first_sent = SteadyClock::now();
  send_next(probe);
}

void IcmpChecker::send_next(Probe& probe) {
  probe.next_send.reset();
  const SteadyClock::time_point now = SteadyClock::now();
  const std::optional<std::uint16_t> sequence =
      book_.add(probe.id, probe.target.sin_addr.s_addr, now);
  ++probe.sent;
  if (!sequence) {
    ++probe.send_failures;
    probe.send_error = "every ICMP sequence number awaits a reply";
  } else {
    const std::vector<unsigned char> packet =
        echo_request(book_.identifier(), *sequence, EchoPayload{book_.cookie(), probe.id});
    const ssize_t written =
        ::sendto(socket_.get(), packet.data(), packet.size(), 0,
                 reinterpret_cast<const sockaddr*>(&probe.target), sizeof probe.target);
    if (written == static_cast<ssize_t>(packet.size())) {
      probe.awaiting.push_back(*sequence);
    } else {
      book_.release(*sequence);
      ++probe.send_failures;
      probe.send_error = std::string("sendto: ") +
                         (written < 0 ? std::strerror(errno) : "the request was cut short");
    }
  }
  if (probe.sent < probe.request->count) {
    // Each request at its time from the first: a late turn of the loop does not delay the rest.
    probe.next_send =
        sends_.emplace(probe.first_sent + probe.request->interval * probe.sent, probe.id);
  } else if (probe.awaiting.empty()) {
    finish(probe);
  }
}

std::optional<SteadyClock::time_point> IcmpChecker::next_timeout() const {
  if (!completed_.empty()) return SteadyClock::now();
  std::optional<SteadyClock::time_point> due = probes_.next_deadline();
  if (!sends_.empty() && (!due || sends_.begin()->first < *due)) due = sends_.begin()->first;
  return due;
}

void IcmpChecker::expire() {
  const SteadyClock::time_point now = SteadyClock::now();
  // Timeouts first: a check at its end sends nothing more (its next request would be lost).
  while (Probe* expired = probes_.first_expired(now)) {
    Probe& probe = *expired;  // ended below: each turn takes one probe out
    if (probe.resolving) {
      fail(probe, CheckError::kTimeout,
           "timed out after " + std::to_string(probe.request->timeout.count()) + " ms looking up " +
               probe.request->host);
    } else {
      finish(probe);  // the requests unanswered by now are lost
    }
  }
  while (!sends_.empty() && sends_.begin()->first <= now) {
    const std::uint64_t id = sends_.begin()->second;
    sends_.erase(sends_.begin());
    send_next(*probes_.find(id));  // send_next forgets the entry erased here
  }
}

std::size_t IcmpChecker::deliver_completions() { return completed_.deliver(); }

std::size_t IcmpChecker::cancel_all() {
  const std::size_t cancelled = in_flight();
  completed_.clear();
  probes_.for_each([this](const Probe& probe) {
    if (probe.resolving) resolver_.cancel(probe.lookup);
    for (std::uint16_t sequence : probe.awaiting) book_.release(sequence);
  });
  probes_.clear();
  sends_.clear();
  return cancelled;
}

void IcmpChecker::on_io(int fd, std::uint32_t /*events*/) {
  if (fd == socket_.get()) read_replies();
}

void IcmpChecker::read_replies() {
  const bool with_ip_header = kind_ == IcmpSocketKind::kRaw;
  // Larger than any reply hc accepts: a longer packet is cut here and then refused whole.
  std::array<unsigned char, 512> buffer{};
  for (std::size_t packets = 0; packets < kMaxPacketsPerTurn; ++packets) {
    sockaddr_in source{};
    socklen_t source_length = sizeof source;
    const ssize_t got = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), MSG_TRUNC,
                                   reinterpret_cast<sockaddr*>(&source), &source_length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return;  // EAGAIN: read all; anything else: the next turn tries again
    const SteadyClock::time_point received = SteadyClock::now();
    // MSG_TRUNC: got is the packet's real length, which may exceed what was copied.
    if (static_cast<std::size_t>(got) > buffer.size() || source_length < sizeof source ||
        source.sin_family != AF_INET) {
      continue;
    }
    const std::optional<EchoReply> reply = parse_echo_reply(
        std::span<const unsigned char>(buffer.data(), static_cast<std::size_t>(got)),
        with_ip_header);
    if (!reply) continue;
    const std::optional<EchoBook::Match> match =
        book_.take(*reply, source.sin_addr.s_addr, received);
    if (!match) continue;
    Probe* found = probes_.find(match->serial);
    if (found == nullptr) continue;  // cannot happen: an ended check's requests are released
    Probe& probe = *found;
    std::erase(probe.awaiting, match->sequence);
    probe.round_trips_us.push_back(match->round_trip.count());
    if (probe.sent == probe.request->count && probe.awaiting.empty()) finish(probe);
  }
}

void IcmpChecker::fail(Probe& probe, CheckError error, std::string detail) {
  probe.result.transport_error = error;
  probe.result.error_detail = std::move(detail);
  finish(probe);
}

void IcmpChecker::finish(Probe& probe) {
  CheckResult& result = probe.result;
  const int count = probe.request->count;
  const auto received = static_cast<int>(probe.round_trips_us.size());
  if (probe.resolved) {
    // Lost: every request not answered, sent or not. Rounded up, so that "loss_percent <=
    // max_loss_percent" is exact for a whole-number bound.
    const int lost = count - received;
    result.loss_percent = (100 * lost + count - 1) / count;
  }
  if (received > 0) {
    std::int64_t sum = 0;
    std::int64_t low = probe.round_trips_us.front();
    std::int64_t high = low;
    for (std::int64_t round_trip : probe.round_trips_us) {
      sum += round_trip;
      low = std::min(low, round_trip);
      high = std::max(high, round_trip);
    }
    result.rtt_min_us = low;
    result.rtt_avg_us = sum / received;
    result.rtt_max_us = high;
    result.response_time_us = *result.rtt_avg_us;
  } else {
    result.response_time_us = micros_since(probe.started);
    if (!result.transport_error) {
      if (probe.send_failures == count) {
        result.transport_error = CheckError::kConnect;
        result.error_detail = probe.send_error;
      } else {
        result.transport_error = CheckError::kTimeout;
        result.error_detail = "no echo reply to " + std::to_string(count) + " requests within " +
                              std::to_string(probe.request->timeout.count()) + " ms";
      }
    }
  }
  if (probe.resolving) resolver_.cancel(probe.lookup);
  for (std::uint16_t sequence : probe.awaiting) book_.release(sequence);
  if (probe.next_send) sends_.erase(*probe.next_send);
  const std::unique_ptr<Probe> owned = probes_.take(probe.id);
  completed_.add(std::move(owned->done), std::move(owned->result));
}

}  // namespace hc::producer
