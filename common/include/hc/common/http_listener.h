// The listening side of hc's small HTTP servers (--metrics-addr, hc serve): where to listen,
// and a thread that serves a configured httplib::Server from bind to destruction.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace hc {

// Splits "HOST:PORT" / "[v6]:PORT" / ":PORT" (":PORT": all interfaces). nullopt when
// malformed or port > 65535.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> parse_host_port(const std::string& address);

// Owns a configured httplib::Server and the thread that runs its accept loop.
//
// The socket is bound with SO_REUSEADDR but without httplib's default SO_REUSEPORT, which
// would let a second process bind the same port silently and split the requests between
// the two. The destructor stops accepting, lets httplib finish the requests in progress and
// joins the thread; whatever the server's handlers use must outlive the listener (declare
// the listener after it).
class HttpListener {
 public:
  // Binds `server` (routes and limits already set) to `where` (port 0: a free port) and
  // starts serving on a new thread. Returns nullptr when the address cannot be bound (in
  // use, not local); the caller words the error for its own flag.
  static std::unique_ptr<HttpListener> start(std::unique_ptr<httplib::Server> server,
                                             const HostPort& where);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;
  HttpListener(HttpListener&&) = delete;
  HttpListener& operator=(HttpListener&&) = delete;

  // The bound port (the free one picked for port 0).
  int port() const { return port_; }

 private:
  HttpListener(std::unique_ptr<httplib::Server> server, int port);

  std::unique_ptr<httplib::Server> server_;
  int port_;
  // Set by the thread when listen_after_bind() returns (also when it fails at once).
  std::atomic<bool> listen_returned_{false};
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace hc
