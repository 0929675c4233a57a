#include "hc/common/url_redaction.h"

#include <gtest/gtest.h>

namespace hc {
namespace {

TEST(UrlRedaction, SecretQueryValuesAreReplacedAndEverythingElseKept) {
  const auto params = default_redacted_query_params();
  EXPECT_EQ(redact_url("https://h/p?token=abc&page=2", params),
            "https://h/p?token=REDACTED&page=2");
  EXPECT_EQ(redact_url("https://h/p?page=2&API_KEY=x&sig=y#frag?token=z", params),
            "https://h/p?page=2&API_KEY=REDACTED&sig=REDACTED#frag?token=z");
  EXPECT_EQ(redact_url("https://h/p?tokenish=1&key", params), "https://h/p?tokenish=1&key");
  EXPECT_EQ(redact_url("https://h/p?a=1&&token=&", params), "https://h/p?a=1&&token=REDACTED&");
  EXPECT_EQ(redact_url("https://h/plain", params), "https://h/plain");
  EXPECT_EQ(redact_url("https://h/p?token=abc", {}), "https://h/p?token=abc");
  EXPECT_EQ(redact_url("https://user:pw@h/p?secret=s", params), "https://***@h/p?secret=REDACTED");
}

TEST(UrlRedaction, TheDefaultListCoversOAuthAndSignedUrlsInAnyCase) {
  const auto params = default_redacted_query_params();
  EXPECT_EQ(redact_url("https://h/cb?Access_Token=a&CLIENT_SECRET=b&code=c&auth=d&state=e", params),
            "https://h/cb?Access_Token=REDACTED&CLIENT_SECRET=REDACTED&code=REDACTED&"
            "auth=REDACTED&state=e");
  EXPECT_EQ(redact_url("https://b.s3.test/o?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=f00&"
                       "x-amz-security-token=t&X-Amz-Expires=60",
                       params),
            "https://b.s3.test/o?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&"
            "x-amz-security-token=REDACTED&X-Amz-Expires=60");
}

TEST(UrlRedaction, APercentEncodedNameIsTheNameTheServerReads) {
  const auto params = default_redacted_query_params();
  EXPECT_EQ(redact_url("https://h/p?%74oken=abc&%5Fx=1&bad%=2&%zz=3", params),
            "https://h/p?%74oken=REDACTED&%5Fx=1&bad%=2&%zz=3");
  EXPECT_EQ(redact_url("https://h/p?Token=abc", {"TOKEN"}), "https://h/p?Token=REDACTED");
}

}  // namespace
}  // namespace hc
