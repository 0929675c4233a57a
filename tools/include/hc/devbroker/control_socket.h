// A Unix stream socket that answers one line per line received: hc-devbroker's control
// interface (the commands are MockFaults'). Any number of clients, each may send many lines;
// answers come back in order on the same connection. Lines longer than 4096 bytes are
// answered "error line too long" and the connection is closed.
//
// Lifetime: the constructor binds PATH (replacing a stale socket file there, mode 0600) and
// starts one serving thread; the destructor stops that thread, closes every connection and
// removes PATH. The handler runs on the serving thread only, one line at a time.
// Failure: the constructor throws std::system_error naming PATH; later I/O errors only close
// the client concerned.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace hc::devbroker {

class ControlSocket {
 public:
  using Handler = std::function<std::string(std::string_view line)>;
  ControlSocket(std::filesystem::path path, Handler handler);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

 private:
  void serve();

  std::filesystem::path path_;
  Handler handler_;
  int listen_fd_ = -1;  // owned; closed by the destructor after the thread ended
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Client side, for `hc-devbroker ctl` and the tests' DevBroker: connects to PATH, sends `line`,
// returns the answer line (without newline). Throws std::runtime_error naming PATH if it cannot
// connect or the connection closes before an answer.
std::string send_control_command(const std::filesystem::path& path, const std::string& line);

}  // namespace hc::devbroker
