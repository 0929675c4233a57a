// Certificates for TLS tests, made with the openssl CLI (P-256 keys) in a directory the
// caller owns: a private CA and leaves it signs, or a self-signed leaf. Every file is PEM;
// keys are unencrypted. Throws std::runtime_error with openssl's output if a step fails.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hc::test {

struct CertificateFiles {
  std::string cert_file;
  std::string key_file;
};

// What a leaf certificate names and how long it lives.
struct LeafSpec {
  std::string name;                    // file stem and subject CN
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  bool for_loopback_ip = true;         // adds subjectAltName IP:127.0.0.1
  int days = 30;
};

// A self-signed certificate, valid for 127.0.0.1 (and `dns_names`) for `days`.
CertificateFiles make_self_signed(const std::filesystem::path& dir, const LeafSpec& spec);

// A private certificate authority in `dir` (ca.pem, ca.key) that issues leaves for servers
// and clients (extendedKeyUsage serverAuth and clientAuth).
class TestCa {
 public:
  explicit TestCa(std::filesystem::path dir);
  const std::string& cert_file() const { return cert_file_; }
  CertificateFiles issue(const LeafSpec& spec) const;
  // An intermediate CA signed by this one, valid for `days`, in dir/name/. The cert_file of
  // the leaves it issues holds the leaf and then the intermediate: the chain a server sends.
  TestCa intermediate(const std::string& name, int days) const;

 private:
  TestCa(std::filesystem::path dir, const TestCa& issuer, int days);
  std::filesystem::path dir_;
  std::string cert_file_;
  std::string key_file_;
  bool is_intermediate_ = false;
};

}  // namespace hc::test
