#include "dns_checker.h"

#include <arpa/inet.h>
#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "hc/common/message.h"

namespace hc::producer {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kClassIn = 1;
constexpr int kHeaderBytes = 12;

int type_code(const std::string& record_type) {
  if (record_type == "AAAA") return 28;
  if (record_type == "CNAME") return 5;
  if (record_type == "MX") return 15;
  if (record_type == "TXT") return 16;
  if (record_type == "NS") return 2;
  return 1;  // A
}

std::string rcode_name(int rcode) {
  constexpr std::array<const char*, 6> kNames = {"NOERROR",  "FORMERR", "SERVFAIL",
                                                 "NXDOMAIN", "NOTIMP",  "REFUSED"};
  if (rcode >= 0 && rcode < static_cast<int>(kNames.size())) {
    return kNames[static_cast<std::size_t>(rcode)];
  }
  return "RCODE" + std::to_string(rcode);
}

// An answer as message text: printable ASCII as is, other bytes as \xHH (a TXT record may hold
// anything, and a message with NUL or invalid UTF-8 would be refused by the consumer); cut to
// the message's bound.
std::string printable(std::string_view bytes) {
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      text.push_back(c);
    } else {
      constexpr std::string_view kHex = "0123456789abcdef";
      text += "\\x";
      text.push_back(kHex[byte >> 4]);
      text.push_back(kHex[byte & 0xf]);
    }
    if (text.size() >= kMaxConditionBytes - 4) break;
  }
  return text;
}

std::uint16_t read16(const unsigned char* at) {
  return static_cast<std::uint16_t>((at[0] << 8) | at[1]);
}

// A (possibly compressed) name at `at`; its encoded length in *length. nullopt if malformed.
std::optional<std::string> expand_name(const unsigned char* at, const unsigned char* answer,
                                       int length, long* encoded) {
  char* name = nullptr;
  if (ares_expand_name(at, answer, length, &name, encoded) != ARES_SUCCESS) return std::nullopt;
  std::string text = name;
  ares_free_string(name);
  return text;
}

}  // namespace

std::optional<DnsAnswer> parse_dns_answer(const unsigned char* answer, int length,
                                          const std::string& record_type) {
  if (answer == nullptr || length < kHeaderBytes) return std::nullopt;
  const unsigned char* end = answer + length;
  DnsAnswer parsed;
  parsed.rcode = rcode_name(answer[3] & 0x0f);
  const int questions = read16(answer + 4);
  const int answers = read16(answer + 6);
  const unsigned char* at = answer + kHeaderBytes;
  for (int i = 0; i < questions; ++i) {
    long encoded = 0;
    if (!expand_name(at, answer, length, &encoded) || end - at < encoded + 4) return std::nullopt;
    at += encoded + 4;
  }
  const int wanted = type_code(record_type);
  for (int i = 0; i < answers; ++i) {
    long encoded = 0;
    if (!expand_name(at, answer, length, &encoded) || end - at < encoded + 10) return std::nullopt;
    at += encoded;
    const int type = read16(at);
    const int record_class = read16(at + 2);
    const int data_length = read16(at + 8);
    at += 10;
    if (end - at < data_length) return std::nullopt;
    const unsigned char* data = at;
    at += data_length;
    if (type != wanted || record_class != kClassIn ||
        parsed.answers.size() >= kMaxFailedConditions) {
      continue;
    }
    std::array<char, INET6_ADDRSTRLEN> address{};
    if (type == 1 && data_length == 4) {
      parsed.answers.emplace_back(inet_ntop(AF_INET, data, address.data(), address.size()));
    } else if (type == 28 && data_length == 16) {
      parsed.answers.emplace_back(inet_ntop(AF_INET6, data, address.data(), address.size()));
    } else if (type == 5 || type == 2) {
      if (auto name = expand_name(data, answer, length, &encoded)) {
        parsed.answers.push_back(printable(*name));
      }
    } else if (type == 15 && data_length > 2) {
      if (auto name = expand_name(data + 2, answer, length, &encoded)) {
        parsed.answers.push_back(std::to_string(read16(data)) + " " + printable(*name));
      }
    } else if (type == 16) {
      std::string text;
      for (const unsigned char* part = data; part < data + data_length;) {
        const int part_length = *part;
        if (data + data_length - part - 1 < part_length) break;
        text.append(reinterpret_cast<const char*>(part + 1), static_cast<std::size_t>(part_length));
        part += 1 + part_length;
      }
      parsed.answers.push_back(printable(text));
    }
  }
  return parsed;
}

struct DnsChecker::Channel {
  DnsChecker* checker = nullptr;
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel != nullptr) ares_destroy(channel);
  }
};

struct DnsChecker::Query {
  std::uint64_t id = 0;
  std::shared_ptr<const DnsCheckRequest> request;
  Completion done;
  SteadyClock::time_point started;
};

namespace {
struct AnswerNote {
  DnsChecker* checker;
  std::uint64_t id;
};
}  // namespace

DnsChecker::DnsChecker(CurlMultiLoop& loop) : loop_(loop) {
  if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
    throw std::runtime_error("ares_library_init failed");
  }
  library_ready_ = true;
  handler_id_ = loop_.add_io_handler(*this);
}

DnsChecker::~DnsChecker() {
  queries_.clear();   // their answers, delivered with ARES_EDESTRUCTION, are ignored
  channels_.clear();  // ares_destroy
  if (library_ready_) ares_library_cleanup();
}

DnsChecker::Channel& DnsChecker::channel_for(const std::optional<HostPort>& server) {
  std::string key;
  if (server) {
    const bool v6 = server->host.find(':') != std::string::npos;
    key = (v6 ? "[" + server->host + "]" : server->host) + ":" + std::to_string(server->port);
  }
  auto& slot = channels_[key];
  if (slot) return *slot;
  auto channel = std::make_unique<Channel>();
  channel->checker = this;
  ares_options options{};
  options.sock_state_cb = &DnsChecker::on_socket_state;
  options.sock_state_cb_data = channel.get();
  int mask = ARES_OPT_SOCK_STATE_CB;
  if (server) {
    // One server, asked again after 1 s; its SERVFAIL or REFUSED is the answer to record,
    // not a reason to try elsewhere.
    options.flags = ARES_FLAG_NOCHECKRESP;
    options.timeout = 1000;
    options.tries = 3;
    mask |= ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  }
  if (const int status = ares_init_options(&channel->channel, &options, mask);
      status != ARES_SUCCESS) {
    throw std::runtime_error(std::string("ares_init_options failed: ") + ares_strerror(status));
  }
  if (server) {
    if (const int status = ares_set_servers_ports_csv(channel->channel, key.c_str());
        status != ARES_SUCCESS) {
      throw std::runtime_error("cannot use DNS server " + key + ": " + ares_strerror(status));
    }
  }
  slot = std::move(channel);
  return *slot;
}

void DnsChecker::start(std::shared_ptr<const DnsCheckRequest> request, Completion done) {
  Channel& channel = channel_for(request->target.server);
  const SteadyClock::time_point now = SteadyClock::now();
  Query& query = queries_.add(now + request->timeout);
  query.started = now;
  query.done = std::move(done);
  query.request = std::move(request);
  const std::uint64_t id = query.id;
  const DnsCheckRequest& asked = *query.request;
  // Freed by on_answer, which c-ares calls exactly once (ARES_EDESTRUCTION at the latest).
  auto* note = new AnswerNote{this, id};  // NOLINT(cppcoreguidelines-owning-memory)
  ares_query(channel.channel, asked.target.name.c_str(), kClassIn,
             type_code(asked.target.record_type), &DnsChecker::on_answer, note);
}

std::optional<SteadyClock::time_point> DnsChecker::next_timeout() const {
  if (!completed_.empty()) return SteadyClock::now();
  std::optional<SteadyClock::time_point> next = queries_.next_deadline();
  for (const auto& [key, channel] : channels_) {
    timeval wait{};
    if (ares_timeout(channel->channel, nullptr, &wait) == nullptr) continue;
    const auto due = SteadyClock::now() + std::chrono::seconds(wait.tv_sec) +
                     std::chrono::microseconds(wait.tv_usec);
    if (!next || due < *next) next = due;
  }
  return next;
}

void DnsChecker::expire() {
  for (const auto& [key, channel] : channels_) {
    ares_process_fd(channel->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  }
  const SteadyClock::time_point now = SteadyClock::now();
  while (const Query* expired = queries_.first_expired(now)) {
    CheckResult result;
    result.transport_error = CheckError::kTimeout;
    result.error_detail =
        "no DNS answer within " + std::to_string(expired->request->timeout.count()) + " ms";
    finish(expired->id, std::move(result));  // takes it out
  }
}

std::size_t DnsChecker::deliver_completions() { return completed_.deliver(); }

std::size_t DnsChecker::cancel_all() {
  const std::size_t cancelled = in_flight();
  queries_.clear();  // answers still to come find no query and are ignored
  completed_.clear();
  return cancelled;
}

void DnsChecker::on_io(int fd, std::uint32_t events) {
  auto found = channel_of_fd_.find(fd);
  if (found == channel_of_fd_.end()) return;
  const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
  const bool writable = (events & EPOLLOUT) != 0;
  ares_process_fd(found->second, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
}

void DnsChecker::on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto& channel = *static_cast<Channel*>(data);
  DnsChecker& checker = *channel.checker;
  if (readable == 0 && writable == 0) {
    checker.loop_.unwatch(fd);
    checker.channel_of_fd_.erase(fd);
    return;
  }
  checker.channel_of_fd_[fd] = channel.channel;
  // A socket that cannot be watched makes its query time out.
  checker.loop_.watch(checker.handler_id_, fd,
                      (readable != 0 ? EPOLLIN : 0U) | (writable != 0 ? EPOLLOUT : 0U));
}

void DnsChecker::on_answer(void* data, int status, int /*timeouts*/, unsigned char* answer,
                           int length) {
  const std::unique_ptr<AnswerNote> note(static_cast<AnswerNote*>(data));
  if (status == ARES_EDESTRUCTION) return;
  DnsChecker& checker = *note->checker;
  const Query* query = checker.queries_.find(note->id);
  if (query == nullptr) return;  // timed out or cancelled meanwhile
  CheckResult result;
  if (auto parsed = parse_dns_answer(answer, length, query->request->target.record_type)) {
    result.dns_rcode = std::move(parsed->rcode);
    result.dns_answers = std::move(parsed->answers);
  } else if (status == ARES_ETIMEOUT) {
    result.transport_error = CheckError::kTimeout;
    result.error_detail = "no DNS answer (c-ares: timeout)";
  } else if (status == ARES_ECONNREFUSED) {
    result.transport_error = CheckError::kConnect;
    result.error_detail = std::string("DNS server: ") + ares_strerror(status);
  } else if (answer != nullptr) {
    result.transport_error = CheckError::kDns;
    result.error_detail = "malformed DNS answer (" + std::to_string(length) + " bytes)";
  } else {
    result.transport_error = CheckError::kDns;
    result.error_detail = std::string("DNS: ") + ares_strerror(status);
  }
  checker.finish(note->id, std::move(result));
}

void DnsChecker::finish(std::uint64_t id, CheckResult&& result) {
  const std::unique_ptr<Query> query = queries_.take(id);
  result.response_time_us =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - query->started)
          .count();
  completed_.add(std::move(query->done), std::move(result));
}

}  // namespace hc::producer
