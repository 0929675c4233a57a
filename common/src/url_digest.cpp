#include "hc/common/url_digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace hc {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

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
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex.push_back(kHexDigits[byte >> 4U]);
    hex.push_back(kHexDigits[byte & 0x0fU]);
  }
  return hex;
}

std::string url_digest(std::string_view url) { return url_digest_hex(url_digest_bytes(url)); }

struct UrlDigester::Sha256 {
  struct FreeMd {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  struct FreeContext {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD, FreeMd> md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  std::unique_ptr<EVP_MD_CTX, FreeContext> context{EVP_MD_CTX_new()};
};

UrlDigester::UrlDigester() : sha256_(std::make_unique<Sha256>()) {
  if (!sha256_->md || !sha256_->context) {
    throw std::runtime_error("OpenSSL offers no SHA-256 (EVP_MD_fetch or EVP_MD_CTX_new failed)");
  }
}

UrlDigester::~UrlDigester() = default;
UrlDigester::UrlDigester(UrlDigester&&) noexcept = default;
UrlDigester& UrlDigester::operator=(UrlDigester&&) noexcept = default;

UrlDigestBytes UrlDigester::bytes(std::string_view url) {
  UrlDigestBytes digest{};
  unsigned int digest_size = 0;
  EVP_MD_CTX* context = sha256_->context.get();
  if (EVP_DigestInit_ex2(context, sha256_->md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(context, url.data(), url.size()) != 1 ||
      EVP_DigestFinal_ex(context, digest.data(), &digest_size) != 1 ||
      digest_size != digest.size()) {
    throw std::runtime_error("SHA-256 of URL failed (OpenSSL EVP_DigestInit_ex2)");
  }
  return digest;
}

bool UrlDigester::matches(std::string_view url, std::string_view hex) {
  const UrlDigestBytes digest = bytes(url);
  if (hex.size() != digest.size() * 2) return false;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (hex[2 * i] != kHexDigits[digest[i] >> 4U] ||
        hex[2 * i + 1] != kHexDigits[digest[i] & 0x0fU]) {
      return false;
    }
  }
  return true;
}

}  // namespace hc
