#include "curl_outcome.h"

#include <ctime>
#include <string>

namespace hc::producer {

CheckError classify_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return CheckError::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return CheckError::kDns;
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return CheckError::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return CheckError::kTls;
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_HTTP_RETURNED_ERROR:
    case CURLE_RANGE_ERROR:
      return CheckError::kHttp;
    default:
      return CheckError::kInternal;
  }
}

std::optional<WallTime> parse_cert_expire_date(std::string_view text) {
  const std::string copy(text);
  for (const char* format : {"%b %d %H:%M:%S %Y GMT", "%Y-%m-%d %H:%M:%S GMT"}) {
    std::tm parts{};
    const char* end = strptime(copy.c_str(), format, &parts);
    if (end != nullptr && *end == '\0') {
      return WallTime(std::chrono::seconds(timegm(&parts)));
    }
  }
  return std::nullopt;
}

std::optional<WallTime> server_cert_expiry(const curl_certinfo* info) {
  if (info == nullptr || info->num_of_certs < 1) return std::nullopt;
  constexpr std::string_view kField = "Expire date:";
  for (const curl_slist* item = info->certinfo[0]; item != nullptr; item = item->next) {
    std::string_view line(item->data);
    if (line.starts_with(kField)) return parse_cert_expire_date(line.substr(kField.size()));
  }
  return std::nullopt;
}

}  // namespace hc::producer
