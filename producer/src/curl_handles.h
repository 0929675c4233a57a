// RAII owners for libcurl handles. CURL and CURLM are both `void` in C, hence one deleter
// type per handle kind. CurlGlobal (hc/common/curl_global.h) holds libcurl's global init.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "hc/common/curl_global.h"

namespace hc::producer {

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;  // text curl allocated

// curl_easy_setopt that throws std::runtime_error when curl refuses the option or value.
template <typename Option, typename Value>
void set_option(CURL* easy, Option option, Value value) {
  if (CURLcode code = curl_easy_setopt(easy, option, value); code != CURLE_OK) {
    throw std::runtime_error(std::string("curl_easy_setopt failed: ") + curl_easy_strerror(code));
  }
}

}  // namespace hc::producer
