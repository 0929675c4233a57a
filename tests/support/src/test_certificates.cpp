#include "hc/test/test_certificates.h"

#include <fstream>
#include <stdexcept>

#include "hc/test/support.h"

namespace hc::test {
namespace {

const std::vector<std::string> kNewKey = {"-newkey", "ec", "-pkeyopt",
                                          "ec_paramgen_curve:prime256v1", "-nodes"};

void run_openssl(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "openssl");
  const CommandResult result = run_command(arguments);
  if (result.exit_code != 0) {
    throw std::runtime_error("openssl " + arguments.at(1) + " failed: " + result.output);
  }
}

std::string subject_alt_names(const LeafSpec& spec) {
  std::string names;
  for (const std::string& dns : spec.dns_names) names += (names.empty() ? "DNS:" : ",DNS:") + dns;
  if (spec.for_loopback_ip) names += names.empty() ? "IP:127.0.0.1" : ",IP:127.0.0.1";
  if (names.empty()) throw std::invalid_argument("a leaf certificate needs at least one name");
  return "subjectAltName=" + names;
}

std::vector<std::string> with(std::vector<std::string> first,
                              const std::vector<std::string>& more) {
  first.insert(first.end(), more.begin(), more.end());
  return first;
}

}  // namespace

CertificateFiles make_self_signed(const std::filesystem::path& dir, const LeafSpec& spec) {
  CertificateFiles files{(dir / (spec.name + ".pem")).string(),
                         (dir / (spec.name + ".key")).string()};
  run_openssl(with({"req", "-x509"},
                   with(kNewKey, {"-keyout", files.key_file, "-out", files.cert_file, "-days",
                                  std::to_string(spec.days), "-subj", "/CN=" + spec.name, "-addext",
                                  subject_alt_names(spec)})));
  return files;
}

TestCa::TestCa(std::filesystem::path dir)
    : dir_(std::move(dir)),
      cert_file_((dir_ / "ca.pem").string()),
      key_file_((dir_ / "ca.key").string()) {
  run_openssl(with({"req", "-x509"},
                   with(kNewKey, {"-keyout", key_file_, "-out", cert_file_, "-days", "30", "-subj",
                                  "/CN=hc-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                                  "-addext", "keyUsage=critical,keyCertSign,cRLSign"})));
}

TestCa::TestCa(std::filesystem::path dir, const TestCa& issuer, int days)
    : dir_(std::move(dir)),
      cert_file_((dir_ / "ca.pem").string()),
      key_file_((dir_ / "ca.key").string()),
      is_intermediate_(true) {
  std::filesystem::create_directories(dir_);
  const std::string request = (dir_ / "ca.csr").string();
  const std::string extensions = (dir_ / "ca.ext").string();
  std::ofstream(extensions) << "basicConstraints=critical,CA:TRUE\n"
                            << "keyUsage=critical,keyCertSign,cRLSign\n";
  run_openssl(with({"req"}, with(kNewKey, {"-keyout", key_file_, "-out", request, "-subj",
                                           "/CN=hc-test-" + dir_.filename().string()})));
  run_openssl({"x509", "-req", "-in", request, "-CA", issuer.cert_file_, "-CAkey", issuer.key_file_,
               "-CAcreateserial", "-out", cert_file_, "-days", std::to_string(days), "-extfile",
               extensions});
}

TestCa TestCa::intermediate(const std::string& name, int days) const {
  return TestCa(dir_ / name, *this, days);
}

CertificateFiles TestCa::issue(const LeafSpec& spec) const {
  CertificateFiles files{(dir_ / (spec.name + ".pem")).string(),
                         (dir_ / (spec.name + ".key")).string()};
  const std::string request = (dir_ / (spec.name + ".csr")).string();
  const std::string extensions = (dir_ / (spec.name + ".ext")).string();
  std::ofstream(extensions) << subject_alt_names(spec)
                            << "\nextendedKeyUsage=serverAuth,clientAuth\n";
  run_openssl(with({"req"}, with(kNewKey, {"-keyout", files.key_file, "-out", request, "-subj",
                                           "/CN=" + spec.name})));
  run_openssl({"x509", "-req", "-in", request, "-CA", cert_file_, "-CAkey", key_file_,
               "-CAcreateserial", "-out", files.cert_file, "-days", std::to_string(spec.days),
               "-extfile", extensions});
  if (is_intermediate_) {
    std::ifstream intermediate(cert_file_);
    std::ofstream(files.cert_file, std::ios::app) << intermediate.rdbuf();
  }
  return files;
}

}  // namespace hc::test
