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

}  // namespace
}  // namespace hc
