// A site's tls settings through the real transport: local HTTPS servers on loopback with a
// private CA, a server that requires a client certificate, SNI, and protocol versions.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "hc/test/local_http_server.h"
#include "hc/test/test_certificates.h"
#include "http_checker.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

// A URL and how to ask it: what HttpChecker::start takes, in one value a test can change.
struct UrlRequest : CheckRequest {
  std::string url;
};

CheckResult check(const UrlRequest& request) {
  HttpChecker checker;
  std::optional<CheckResult> result;
  checker.start(request.url,
                std::make_shared<const CheckRequest>(static_cast<const CheckRequest&>(request)),
                [&result](CheckResult&& done) { result = std::move(done); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) checker.run_once(milliseconds(100));
  if (!result) throw std::runtime_error("check did not complete within 30 s");
  return std::move(*result);
}

// TlsSettings with the CA file set, and the given changes.
TlsSettings trusting(const std::string& ca_file) {
  TlsSettings tls;
  tls.ca_file = ca_file;
  return tls;
}

UrlRequest get(const std::string& url, TlsSettings tls = {}) {
  UrlRequest request;
  request.url = url;
  request.timeout = milliseconds(5000);
  request.tls = std::move(tls);
  request.body_capture_bytes = 1024;
  return request;
}

// What the server saw of a TLS client: the SNI name and the request's Host header.
struct SeenByServer {
  std::mutex mutex;
  std::string server_name;
  std::string host;
};

test::HttpsOptions serving(const test::CertificateFiles& certificate) {
  test::HttpsOptions options;
  options.cert_file = certificate.cert_file;
  options.key_file = certificate.key_file;
  return options;
}

void serve_ok(test::LocalHttpServer& server, SeenByServer* seen = nullptr) {
  server.server().Get("/", [seen](const httplib::Request& request, httplib::Response& response) {
    if (seen != nullptr) {
      std::lock_guard lock(seen->mutex);
      seen->host = request.get_header_value("Host");
    }
    response.set_content("secure", "text/plain");
  });
  server.server().Get("/hop", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/");  // relative: resolved against the configured URL
  });
  server.start();
}

class TlsSettingsTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  test::TestCa ca_{dir_.path()};
};

TEST_F(TlsSettingsTest, APrivateCaIsTrustedThroughCaFileOnly) {
  test::LocalHttpServer server(serving(ca_.issue({"server", {}, true, 30})));
  serve_ok(server);
  CheckResult untrusted = check(get(server.url("/")));
  EXPECT_EQ(untrusted.transport_error, CheckError::kTls) << untrusted.error_detail;

  CheckResult trusted = check(get(server.url("/"), trusting(ca_.cert_file())));
  ASSERT_FALSE(trusted.transport_error.has_value()) << trusted.error_detail;
  EXPECT_EQ(trusted.body, "secure");
}

TEST_F(TlsSettingsTest, InsecureSkipVerifyStillRecordsTheCertificatesExpiry) {
  test::LocalHttpServer server(
      serving(test::make_self_signed(dir_.path(), {"self", {}, true, 20})));
  serve_ok(server);
  TlsSettings insecure;
  insecure.insecure_skip_verify = true;
  CheckResult result = check(get(server.url("/"), insecure));
  ASSERT_FALSE(result.transport_error.has_value()) << result.error_detail;
  ASSERT_TRUE(result.cert_expires_at.has_value());
  const auto expected = std::chrono::system_clock::now() + std::chrono::hours(24 * 20);
  EXPECT_LT(std::chrono::abs(*result.cert_expires_at - expected), std::chrono::hours(1));
}

TEST_F(TlsSettingsTest, AServerRequiringAClientCertificateAcceptsTheConfiguredOne) {
  test::HttpsOptions options = serving(ca_.issue({"server", {}, true, 30}));
  options.required_client_ca = ca_.cert_file();
  test::LocalHttpServer server(options);
  serve_ok(server);
  // Without one the handshake is refused; with TLS 1.3 curl may see that only when it
  // reads (an error of the connection rather than of the handshake). Either way no response.
  CheckResult refused = check(get(server.url("/"), trusting(ca_.cert_file())));
  ASSERT_TRUE(refused.transport_error.has_value());
  EXPECT_TRUE(*refused.transport_error == CheckError::kTls ||
              *refused.transport_error == CheckError::kConnect)
      << refused.error_detail;
  EXPECT_FALSE(refused.status_code.has_value());

  const test::CertificateFiles client = ca_.issue({"client", {}, true, 30});
  TlsSettings with_client = trusting(ca_.cert_file());
  with_client.cert_file = client.cert_file;
  with_client.key_file = client.key_file;
  CheckResult accepted = check(get(server.url("/"), with_client));
  ASSERT_FALSE(accepted.transport_error.has_value()) << accepted.error_detail;
  EXPECT_EQ(accepted.body, "secure");
}

TEST_F(TlsSettingsTest, ServerNameIsSentInSniAndVerifiedWhileHostStaysTheUrls) {
  SeenByServer seen;
  test::HttpsOptions options = serving(ca_.issue({"internal", {"internal.test"}, false, 30}));
  options.on_server_name = [&seen](const std::string& name) {
    std::lock_guard lock(seen.mutex);
    seen.server_name = name;
  };
  test::LocalHttpServer server(options);
  serve_ok(server, &seen);
  // The certificate names internal.test only: the URL's 127.0.0.1 does not match it.
  CheckResult mismatch = check(get(server.url("/"), trusting(ca_.cert_file())));
  EXPECT_EQ(mismatch.transport_error, CheckError::kTls) << mismatch.error_detail;

  TlsSettings named_tls = trusting(ca_.cert_file());
  named_tls.server_name = "internal.test";
  CheckResult named = check(get(server.url("/"), named_tls));
  ASSERT_FALSE(named.transport_error.has_value()) << named.error_detail;
  EXPECT_EQ(named.body, "secure");
  {
    std::lock_guard lock(seen.mutex);
    EXPECT_EQ(seen.server_name, "internal.test");
    EXPECT_EQ(seen.host, "127.0.0.1:" + std::to_string(server.port()));
    seen.host.clear();
  }

  // A redirect within the site's origin keeps server_name and goes back to 127.0.0.1 (never
  // to a lookup of the server_name).
  UrlRequest hop = get(server.url("/hop"), named_tls);
  hop.follow_redirects = true;
  CheckResult redirected = check(hop);
  ASSERT_FALSE(redirected.transport_error.has_value()) << redirected.error_detail;
  EXPECT_EQ(redirected.body, "secure");
  std::lock_guard lock(seen.mutex);
  EXPECT_EQ(seen.host, "127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(TlsSettingsTest, MinVersionRefusesAServerBelowIt) {
  test::HttpsOptions options = serving(ca_.issue({"server", {}, true, 30}));
  options.max_version = TLS1_2_VERSION;
  test::LocalHttpServer server(options);
  serve_ok(server);
  TlsSettings tls13 = trusting(ca_.cert_file());
  tls13.min_version = 13;
  CheckResult refused = check(get(server.url("/"), tls13));
  EXPECT_EQ(refused.transport_error, CheckError::kTls) << refused.error_detail;

  TlsSettings tls12 = trusting(ca_.cert_file());
  tls12.min_version = 12;
  CheckResult accepted = check(get(server.url("/"), tls12));
  EXPECT_FALSE(accepted.transport_error.has_value()) << accepted.error_detail;
}

}  // namespace
}  // namespace hc::producer
