#include "redirect_policy.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace hc::producer {
namespace {

TEST(RedirectPolicy, OriginIsSchemeHostAndPortWithDefaultPorts) {
  EXPECT_EQ(origin_of("http://Example.COM/a?b"), (Origin{"http", "example.com", 80}));
  EXPECT_EQ(origin_of("https://example.com:8443/"), (Origin{"https", "example.com", 8443}));
  EXPECT_EQ(origin_of("https://[::1]/x"), (Origin{"https", "[::1]", 443}));
  EXPECT_EQ(origin_of("HTTPS://example.com:443"), origin_of("https://example.com/"));
  EXPECT_FALSE(origin_of("/relative").has_value());
}

TEST(RedirectPolicy, LocationIsResolvedAgainstTheUrlThatAnsweredIt) {
  EXPECT_EQ(resolve_location("https://127.0.0.1:8443/a/b?q=1", "/next"),
            "https://127.0.0.1:8443/next");
  EXPECT_EQ(resolve_location("https://127.0.0.1:8443/a/b", "c"), "https://127.0.0.1:8443/a/c");
  EXPECT_EQ(resolve_location("http://127.0.0.1/", "https://127.0.0.1:9443/x"),
            "https://127.0.0.1:9443/x");
  EXPECT_EQ(resolve_location("http://127.0.0.1/", "//localhost/x"), "http://localhost/x");
}

struct RedirectCase {
  std::string name;
  RedirectRequest request;
  std::string expected_url;  // empty: refused
  std::string expected_method;
  bool expected_to_site_origin = false;
  std::string refusal;  // a substring of the refusal detail
};

// NOLINTNEXTLINE(readability-identifier-naming): gtest looks the name up.
void PrintTo(const RedirectCase& redirect_case, std::ostream* out) { *out << redirect_case.name; }

std::vector<RedirectCase> redirect_cases() {
  const char* site = "https://127.0.0.1:8443/start";
  return {
      {"SameOriginKeepsCredentials",
       {site, "GET", 302, "https://127.0.0.1:8443/next", 0, 5},
       "https://127.0.0.1:8443/next",
       "GET",
       true,
       ""},
      {"HostNameCaseDoesNotMatter",
       {"https://Example.com/", "GET", 301, "https://example.COM/x", 0, 5},
       "https://example.COM/x",
       "GET",
       true,
       ""},
      {"AnotherPortIsAnotherOrigin",
       {site, "GET", 302, "https://127.0.0.1:9443/next", 0, 5},
       "https://127.0.0.1:9443/next",
       "GET",
       false,
       ""},
      {"AnotherHostIsAnotherOrigin",
       {site, "GET", 302, "https://localhost:8443/next", 0, 5},
       "https://localhost:8443/next",
       "GET",
       false,
       ""},
      {"HttpUpgradedToHttpsIsAnotherOrigin",
       {"http://127.0.0.1/", "GET", 301, "https://127.0.0.1/", 0, 5},
       "https://127.0.0.1/",
       "GET",
       false,
       ""},
      {"BackToTheSiteAfterAnotherHostIsTheSiteAgain",
       {site, "GET", 302, "https://127.0.0.1:8443/back", 3, 5},
       "https://127.0.0.1:8443/back",
       "GET",
       true,
       ""},
      {"HttpsNeverGoesDownToHttp",
       {site, "GET", 302, "http://127.0.0.1:8443/next", 0, 5},
       "",
       "",
       false,
       "https to plain http"},
      {"OnlyHttpSchemes",
       {"http://127.0.0.1/", "GET", 302, "ftp://127.0.0.1/file", 0, 5},
       "",
       "",
       false,
       "not an http(s) URL"},
      {"LimitReached",
       {site, "GET", 302, "https://127.0.0.1:8443/next", 5, 5},
       "",
       "",
       false,
       "Maximum (5) redirects followed"},
      {"NoRedirectsAllowed",
       {site, "GET", 302, "https://127.0.0.1:8443/next", 0, 0},
       "",
       "",
       false,
       "Maximum (0) redirects"},
      {"SeeOtherTurnsPostIntoGet",
       {site, "POST", 303, "https://127.0.0.1:8443/n", 0, 5},
       "https://127.0.0.1:8443/n",
       "GET",
       true,
       ""},
      {"SeeOtherKeepsHead",
       {site, "HEAD", 303, "https://127.0.0.1:8443/n", 0, 5},
       "https://127.0.0.1:8443/n",
       "HEAD",
       true,
       ""},
      {"FoundTurnsPostIntoGet",
       {site, "POST", 302, "https://127.0.0.1:8443/n", 0, 5},
       "https://127.0.0.1:8443/n",
       "GET",
       true,
       ""},
      {"FoundKeepsPut",
       {site, "PUT", 302, "https://127.0.0.1:8443/n", 0, 5},
       "https://127.0.0.1:8443/n",
       "PUT",
       true,
       ""},
      {"TemporaryRedirectKeepsPost",
       {site, "POST", 307, "https://127.0.0.1:8443/n", 0, 5},
       "https://127.0.0.1:8443/n",
       "POST",
       true,
       ""},
  };
}

class RedirectPolicyTable : public ::testing::TestWithParam<RedirectCase> {};

TEST_P(RedirectPolicyTable, DecidesTheHop) {
  const RedirectCase& c = GetParam();
  auto decision = follow_redirect(c.request);
  if (c.expected_url.empty()) {
    ASSERT_TRUE(std::holds_alternative<RedirectRefused>(decision));
    EXPECT_NE(std::get<RedirectRefused>(decision).detail.find(c.refusal), std::string::npos)
        << std::get<RedirectRefused>(decision).detail;
    return;
  }
  ASSERT_TRUE(std::holds_alternative<RedirectHop>(decision))
      << std::get<RedirectRefused>(decision).detail;
  const auto& hop = std::get<RedirectHop>(decision);
  EXPECT_EQ(hop.url, c.expected_url);
  EXPECT_EQ(hop.method, c.expected_method);
  EXPECT_EQ(hop.to_site_origin, c.expected_to_site_origin);
}

INSTANTIATE_TEST_SUITE_P(Table, RedirectPolicyTable, ::testing::ValuesIn(redirect_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(RedirectPolicy, OnlyTheFiveRedirectStatusesAreFollowed) {
  for (int status : {301, 302, 303, 307, 308}) EXPECT_TRUE(is_followed_redirect(status)) << status;
  for (int status : {200, 300, 304, 305, 306, 309, 400}) {
    EXPECT_FALSE(is_followed_redirect(status)) << status;
  }
}

}  // namespace
}  // namespace hc::producer
