// A site's TLS settings (hc::TlsSettings) as libcurl options on one hop of a check.
//
// ca_file, insecure_skip_verify and min_version decide whom the check trusts and apply to
// every https hop. The client certificate (cert_file/key_file) and server_name belong to the
// site: they apply only on hops to the site's own origin (redirect_policy.h).
//
// server_name: libcurl takes the SNI name and the name it verifies from the URL's host and
// has no option for another one. So the hop's URL gets server_name as its host, CONNECT_TO
// sends the connection to the real host and port, and an explicit Host header keeps the
// request's Host the configured one.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>

#include "curl_handles.h"
#include "hc/common/config.h"

namespace hc::producer {

// How a hop reaches its server when tls.server_name applies.
struct ServerNameRoute {
  std::string url;          // the hop's URL with server_name as its host
  std::string connect_to;   // CURLOPT_CONNECT_TO entry "NAME:PORT:REAL_HOST:PORT"
  std::string host_header;  // "Host: REAL_HOST[:PORT]" as the URL has it
};

// nullopt when no rewrite applies (no server_name, a plain http hop, or not the site's origin).
// Throws std::runtime_error if the URL cannot be parsed (a validated URL always can).
std::optional<ServerNameRoute> server_name_route(std::string_view hop_url, const TlsSettings& tls,
                                                 bool to_site_origin);

// Sets every TLS option of a hop, each to its default when unused (the handle is reused).
// applied_ca_file remembers the CA file the handle holds, so an unchanged one is not reloaded.
// connect_to: the CONNECT_TO list for this hop (empty = none); it must outlive the transfer.
void apply_tls_options(CURL* easy, const TlsSettings& tls, bool to_site_origin,
                       const CurlList& connect_to, std::string& applied_ca_file);

}  // namespace hc::producer
