#pragma once

#include <array>
#include <string>
#include <string_view>

namespace hc {

// The SHA-256 of the URL bytes, as its 32 bytes.
using UrlDigestBytes = std::array<unsigned char, 32>;
UrlDigestBytes url_digest_bytes(std::string_view url);

// Those bytes as 64 lowercase hex characters: the url_digest of messages and tables.
std::string url_digest_hex(const UrlDigestBytes& digest);

// url_digest_hex(url_digest_bytes(url)).
std::string url_digest(std::string_view url);

}  // namespace hc
