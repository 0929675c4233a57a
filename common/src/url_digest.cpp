#include "hc/common/url_digest.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace hc {

std::string url_digest(std::string_view url) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(url.data(), url.size(), digest.data(), &digest_size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 of URL failed (OpenSSL EVP_Digest)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{digest_size} * 2);
  for (unsigned int i = 0; i < digest_size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace hc
