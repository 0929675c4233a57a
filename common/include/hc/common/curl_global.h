// RAII for libcurl's reference-counted global init: declare it before any curl handle it
// covers, so that it is destroyed after them. Every role that uses libcurl holds one.
#pragma once

#include <curl/curl.h>

#include <stdexcept>

namespace hc {

class CurlGlobal {
 public:
  CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace hc
