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
#include <utility>

#include "hc/test/support.h"

namespace hc::test {

// How an HTTPS LocalHttpServer speaks TLS.
struct HttpsOptions {
  std::string cert_file;  // PEM certificate (chain) and key
  std::string key_file;
  std::string required_client_ca;  // non-empty: a client certificate from this CA is required
  int max_version = 0;             // e.g. TLS1_2_VERSION; 0: OpenSSL's highest
  // Called (on a server thread) with each handshake's SNI name ("" when none was sent).
  std::function<void(const std::string& server_name)> on_server_name;
};

class LocalHttpServer {
 public:
  LocalHttpServer() : server_(std::make_unique<httplib::Server>()) {}
  LocalHttpServer(const std::string& cert_file, const std::string& key_file)
      : server_(std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str())),
        scheme_("https") {
    if (!server_->is_valid()) throw std::runtime_error("cannot load " + cert_file);
  }
  explicit LocalHttpServer(HttpsOptions options)
      : https_options_(std::make_unique<HttpsOptions>(std::move(options))),
        server_(std::make_unique<httplib::SSLServer>(
            [options = https_options_.get()](SSL_CTX& context) {
              return setup(context, *options);
            })),
        scheme_("https") {
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
  static int report_server_name(SSL* ssl, int* /*alert*/, void* options) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    static_cast<const HttpsOptions*>(options)->on_server_name(name != nullptr ? name : "");
    return SSL_TLSEXT_ERR_OK;
  }
  static bool setup(SSL_CTX& context, const HttpsOptions& options) {
    if (SSL_CTX_use_certificate_chain_file(&context, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(&context, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return false;
    }
    if (!options.required_client_ca.empty()) {
      if (SSL_CTX_load_verify_locations(&context, options.required_client_ca.c_str(), nullptr) !=
          1) {
        return false;
      }
      SSL_CTX_set_verify(&context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    if (options.max_version != 0 &&
        SSL_CTX_set_max_proto_version(&context, options.max_version) != 1) {
      return false;
    }
    if (options.on_server_name) {
      SSL_CTX_set_tlsext_servername_callback(&context, report_server_name);
      SSL_CTX_set_tlsext_servername_arg(&context, const_cast<HttpsOptions*>(&options));
    }
    return true;
  }

  void release_slow_handlers() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

  std::unique_ptr<HttpsOptions> https_options_;  // before server_: its SSL_CTX points into it
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_ = "http";
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

}  // namespace hc::test
