// Turning what libcurl reports into message v1 terms: the error class of a CURLcode and the
// certificate expiry from CURLINFO_CERTINFO.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string_view>

#include "check_error.h"
#include "hc/common/message.h"

namespace hc::producer {

// The error class of a failed transfer. REQUIRES: code != CURLE_OK.
CheckError classify_curl_error(CURLcode code);

// "Expire date" of the first certificate (the server's), as printed by curl's TLS backend:
// OpenSSL "Jan  1 00:00:00 2027 GMT", GnuTLS-style "2027-01-01 00:00:00 GMT".
std::optional<WallTime> parse_cert_expire_date(std::string_view text);
std::optional<WallTime> server_cert_expiry(const curl_certinfo* info);

}  // namespace hc::producer
