#include "tls_options.h"

#include <stdexcept>

namespace hc::producer {
namespace {

// The CA bundle curl trusts by default (its build-time CURLOPT_CAINFO); null if none.
const char* default_ca_file() { return curl_version_info(CURLVERSION_NOW)->cainfo; }

std::string url_part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) {
    throw std::runtime_error("cannot read a part of the check's URL");
  }
  CurlString owned(text);
  return std::string(owned.get());
}

long curl_ssl_version(int min_version) {
  switch (min_version) {
    case 12:
      return CURL_SSLVERSION_TLSv1_2;
    case 13:
      return CURL_SSLVERSION_TLSv1_3;
    default:
      return CURL_SSLVERSION_DEFAULT;
  }
}

const char* or_null(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

}  // namespace

std::optional<ServerNameRoute> server_name_route(std::string_view hop_url, const TlsSettings& tls,
                                                 bool to_site_origin) {
  if (tls.server_name.empty() || !to_site_origin || !hop_url.starts_with("https:")) {
    return std::nullopt;
  }
  CurlUrl url(curl_url());
  const std::string text(hop_url);
  if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    throw std::runtime_error("cannot parse the check's URL");
  }
  const std::string host = url_part(url.get(), CURLUPART_HOST);
  const std::string port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  char* written_port = nullptr;
  const bool has_port = curl_url_get(url.get(), CURLUPART_PORT, &written_port, 0) == CURLUE_OK;
  CurlString owned_port(written_port);
  ServerNameRoute route;
  route.connect_to = tls.server_name.str() + ":" + port + ":" + host + ":" + port;
  route.host_header = "Host: " + host + (has_port ? ":" + port : "");
  if (curl_url_set(url.get(), CURLUPART_HOST, tls.server_name.c_str(), 0) != CURLUE_OK) {
    throw std::runtime_error("cannot set server_name as the URL's host");
  }
  route.url = url_part(url.get(), CURLUPART_URL);
  return route;
}

void apply_tls_options(CURL* easy, const TlsSettings& tls, bool to_site_origin,
                       const CurlList& connect_to, std::string& applied_ca_file) {
  if (tls.ca_file != applied_ca_file) {
    set_option(easy, CURLOPT_CAINFO, tls.ca_file.empty() ? default_ca_file() : tls.ca_file.c_str());
    applied_ca_file = tls.ca_file.str();
  }
  set_option(easy, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  set_option(easy, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  set_option(easy, CURLOPT_SSLVERSION, curl_ssl_version(tls.min_version));
  set_option(easy, CURLOPT_SSLCERT, to_site_origin ? or_null(tls.cert_file) : nullptr);
  set_option(easy, CURLOPT_SSLKEY, to_site_origin ? or_null(tls.key_file) : nullptr);
  set_option(easy, CURLOPT_CONNECT_TO, connect_to.get());
}

}  // namespace hc::producer
