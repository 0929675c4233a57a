#include "hc/common/url_digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace hc {

UrlDigestBytes url_digest_bytes(std::string_view url) {
  UrlDigestBytes digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(url.data(), url.size(), digest.data(), &digest_size, EVP_sha256(), nullptr) != 1 ||
      digest_size != digest.size()) {
    throw std::runtime_error("SHA-256 of URL failed (OpenSSL EVP_Digest)");
  }
  return digest;
}

std::string url_digest_hex(const UrlDigestBytes& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4U]);
    hex.push_back(kHex[byte & 0x0fU]);
  }
  return hex;
}

std::string url_digest(std::string_view url) { return url_digest_hex(url_digest_bytes(url)); }

}  // namespace hc
