// POSTs a channel's requests with libcurl, one at a time, keeping the connection alive
// between them; and sorts each answer into what the channel does next.
//
//   2xx                                   -> kAccepted
//   no answer (connect, DNS, TLS, timeout), 408, 425, 429, 5xx -> kRetry (the receiver may
//                                            take it later)
//   any other status (3xx, 4xx)           -> kRefused (the same request would be refused
//                                            again: dead-lettered at once)
//
// Thread: one object per channel thread; not shared.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>

#include "channel_request.h"
#include "channel_transport.h"

namespace hc::notify {

class HttpPoster {
 public:
  // Throws std::runtime_error if libcurl cannot make a handle.
  HttpPoster();
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // REQUIRES: url is http(s). Redirects are not followed (a 3xx is kRefused).
  SendOutcome post(const std::string& url, const ChannelRequest& request,
                   std::chrono::milliseconds timeout);

 private:
  struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  };
  std::unique_ptr<CURL, CurlDeleter> handle_;
};

}  // namespace hc::notify
