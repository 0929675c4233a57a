// A cpp-httplib server on 127.0.0.1 (random port) running on its own thread for the
// duration of a test. Handlers are registered before start(). Plain HTTP by default; HTTPS
// with the given certificate and key files (PEM), or with an SSL_CTX set up by the test
// (client certificates, SNI, protocol versions).
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "hc/test/support.h"

namespace hc::test {

class LocalHttpServer {
 public:
  LocalHttpServer() : server_(std::make_unique<httplib::Server>()) {}
  LocalHttpServer(const std::string& cert_file, const std::string& key_file)
      : server_(std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str())),
        scheme_("https") {
    if (!server_->is_valid()) throw std::runtime_error("cannot load " + cert_file);
  }
  // HTTPS whose SSL_CTX `setup` configures (certificate, key and anything else); setup
  // returns false if it failed.
  explicit LocalHttpServer(const std::function<bool(SSL_CTX& context)>& setup)
      : server_(std::make_unique<httplib::SSLServer>(setup)), scheme_("https") {
    if (!server_->is_valid()) throw std::runtime_error("cannot set up the TLS context");
  }
  httplib::Server& server() { return *server_; }

  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a port on 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    if (!eventually([this] { return server_->is_running(); }, std::chrono::seconds(10))) {
      throw std::runtime_error("local HTTP server did not start");
    }
  }
  ~LocalHttpServer() {
    release_slow_handlers();
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // For "slow" handlers: blocks until the test ends (or `limit` passes), so a slow response
  // does not hold up the server's shutdown.
  void hold(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    released_cv_.wait_for(lock, limit, [this] { return released_; });
  }

 private:
  void release_slow_handlers() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

  std::unique_ptr<httplib::Server> server_;
  std::string scheme_ = "http";
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

}  // namespace hc::test
