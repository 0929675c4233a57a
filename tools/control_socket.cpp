#include "hc/devbroker/control_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace hc::devbroker {
namespace {

constexpr std::size_t kMaxLineBytes = 4096;
// How often the serving thread looks at the stop flag while nothing happens.
constexpr int kPollIntervalMs = 100;

sockaddr_un socket_address(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.size() >= sizeof address.sun_path) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(),
                            "control socket path " + text + " (at most " +
                                std::to_string(sizeof address.sun_path - 1) + " bytes)");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

// Writes all of `text`; false if the peer went away.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

struct Client {
  int fd = -1;
  std::string pending;  // bytes received after the last complete line
};

}  // namespace

ControlSocket::ControlSocket(std::filesystem::path path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)) {
  const sockaddr_un address = socket_address(path_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);  // a socket file left by a killed run
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "control socket " + path_.string());
  }
  const mode_t old_mask = ::umask(0077);  // only our user may fail the broker
  const int bound = ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0 || ::listen(listen_fd_, 16) != 0) {
    const int error = errno;
    ::close(listen_fd_);
    throw std::system_error(error, std::generic_category(),
                            "cannot listen on control socket " + path_.string());
  }
  thread_ = std::thread([this] { serve(); });
}

ControlSocket::~ControlSocket() {
  stop_.store(true);
  thread_.join();
  ::close(listen_fd_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void ControlSocket::serve() {
  std::vector<Client> clients;
  std::vector<pollfd> fds;
  while (!stop_.load()) {
    fds.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const Client& client : clients) fds.push_back({client.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), kPollIntervalMs) <= 0) continue;

    if ((fds[0].revents & POLLIN) != 0) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients.push_back({fd, {}});
    }
    // fds[i + 1] belongs to clients[i] as they were before accept appended one.
    std::vector<Client> still_open;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      Client& client = clients[i];
      bool open = true;
      if (i + 1 < fds.size() && fds[i + 1].revents != 0) {
        char buffer[1024];
        const ssize_t received = ::recv(client.fd, buffer, sizeof buffer, 0);
        if (received <= 0) {
          open = received < 0 && errno == EINTR;
        } else {
          client.pending.append(buffer, static_cast<std::size_t>(received));
          for (auto newline = client.pending.find('\n'); open && newline != std::string::npos;
               newline = client.pending.find('\n')) {
            std::string line = client.pending.substr(0, newline);
            client.pending.erase(0, newline + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            open = write_all(client.fd, handler_(line) + "\n");
          }
          if (open && client.pending.size() > kMaxLineBytes) {
            write_all(client.fd, "error line too long\n");
            open = false;
          }
        }
      }
      if (open) {
        still_open.push_back(std::move(client));
      } else {
        ::close(client.fd);
      }
    }
    clients = std::move(still_open);
  }
  for (const Client& client : clients) ::close(client.fd);
}

std::string send_control_command(const std::filesystem::path& path, const std::string& line) {
  const sockaddr_un address = socket_address(path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("control socket " + path.string() + ": " + strerror(errno));
  std::string reply;
  std::string failure;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    failure = std::string("cannot connect: ") + strerror(errno);
  } else if (!write_all(fd, line + "\n")) {
    failure = "connection closed while sending";
  } else {
    char byte = 0;
    while (true) {
      const ssize_t received = ::recv(fd, &byte, 1, 0);
      if (received < 0 && errno == EINTR) continue;
      if (received <= 0) {
        failure = "connection closed before an answer";
        break;
      }
      if (byte == '\n') break;
      reply.push_back(byte);
    }
  }
  ::close(fd);
  if (!failure.empty())
    throw std::runtime_error("control socket " + path.string() + ": " + failure);
  return reply;
}

}  // namespace hc::devbroker
