#pragma once

#include <array>
#include <memory>
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

// The same digests for a caller that takes many (the consumer checks one per message):
// OpenSSL 3 looks SHA-256 up again on every url_digest_bytes call, which is most of its cost
// for a URL; a UrlDigester looks it up once and reuses one digest context.
// Thread: one thread at a time (each decoding thread brings its own).
class UrlDigester {
 public:
  // Throws std::runtime_error if OpenSSL offers no SHA-256.
  UrlDigester();
  ~UrlDigester();
  UrlDigester(UrlDigester&&) noexcept;
  UrlDigester& operator=(UrlDigester&&) noexcept;

  // url_digest_bytes(url).
  UrlDigestBytes bytes(std::string_view url);
  // True if `hex` is url_digest(url) (lowercase, 64 digits); builds no string.
  bool matches(std::string_view url, std::string_view hex);

 private:
  struct Sha256;
  std::unique_ptr<Sha256> sha256_;
};

}  // namespace hc
