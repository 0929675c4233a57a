// What a client may ask of /api/v1/sites/{url}/history, and every way to ask too much.
#include "history_request.h"

#include <gtest/gtest.h>

#include "hc/common/url_digest.h"
#include "hc/serve/status_server.h"

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }
const WallTime kNow = at("2026-11-25T13:45:10Z");

std::string url_of(std::string_view target) {
  auto result = site_url_from_target(target);
  if (auto* bad = std::get_if<BadRequest>(&result)) return "error: " + bad->message;
  return std::get<std::string>(result);
}

HistoryQuery query_of(const QueryParams& params) {
  auto result = parse_history_query("https://a/", params, kNow);
  if (auto* bad = std::get_if<BadRequest>(&result)) {
    ADD_FAILURE() << bad->message;
    return {};
  }
  return std::get<HistoryQuery>(result);
}

std::string error_of(const QueryParams& params) {
  auto result = parse_history_query("https://a/", params, kNow);
  if (auto* bad = std::get_if<BadRequest>(&result)) return bad->message;
  return "accepted";
}

TEST(HistoryRequest, TheSiteUrlIsPercentDecodedOnce) {
  EXPECT_EQ(url_of("/api/v1/sites/https%3A%2F%2Fa.example%2Fx%3Fy%3D1/history?step=day"),
            "https://a.example/x?y=1");
  EXPECT_EQ(url_of("/api/v1/sites/https%253A/history"), "https%3A");  // once, not twice
  EXPECT_EQ(url_of("/api/v1/sites/a+b/history"), "a+b");
  // Unencoded slashes work too: the URL ends at the last /history.
  EXPECT_EQ(url_of("/api/v1/sites/https://a/history/history"), "https://a/history");
}

TEST(HistoryRequest, ASiteIsNamedByItsUrlOrByItsDigest) {
  const std::string digest = url_digest("https://a/?token=s3cret");
  EXPECT_EQ(site_digest("https://a/?token=s3cret"), digest);
  EXPECT_EQ(site_digest(digest), digest);
  // Uppercase hex is not how digests are written: it is taken as a URL.
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(site_digest(upper), url_digest(upper));
}

TEST(HistoryRequest, MalformedSiteUrlsAreRefused) {
  EXPECT_EQ(url_of("/api/v1/sites/%zz/history"),
            "error: the site URL in the path has a malformed percent escape");
  EXPECT_EQ(url_of("/api/v1/sites/abc%2/history"),
            "error: the site URL in the path has a malformed percent escape");
  EXPECT_EQ(url_of("/api/v1/sites/a%00b/history"), "error: the site URL contains a NUL byte");
  EXPECT_EQ(url_of("/api/v1/sites//history"), "error: the site URL in the path is empty");
  EXPECT_EQ(url_of("/api/v1/sites/" + std::string(kMaxSiteUrlBytes + 1, 'a') + "/history"),
            "error: the site URL is longer than 2048 bytes");
  EXPECT_EQ(url_of("/api/v1/sites/" + std::string(kMaxSiteUrlBytes, 'a') + "/history"),
            std::string(kMaxSiteUrlBytes, 'a'));
}

TEST(HistoryRequest, DefaultsAreTheLast24HoursByHour) {
  const HistoryQuery query = query_of({});
  EXPECT_EQ(query.step, HistoryStep::kHour);
  EXPECT_EQ(query.since, at("2026-11-24T13:00:00Z"));  // back to the start of its hour
  EXPECT_EQ(query.table, "");
}

TEST(HistoryRequest, SinceIsADurationOrAnRfc3339UtcTimeAlignedToItsBucket) {
  EXPECT_EQ(query_of({{"since", "7d"}, {"step", "day"}}).since, at("2026-11-18T00:00:00Z"));
  EXPECT_EQ(query_of({{"since", "90m"}}).since, at("2026-11-25T12:00:00Z"));
  EXPECT_EQ(query_of({{"since", "2026-11-01T05:30:00Z"}}).since, at("2026-11-01T05:00:00Z"));
  EXPECT_EQ(query_of({{"since", "2026-11-01T05:30:00.5Z"}, {"step", "day"}}).since,
            at("2026-11-01T00:00:00Z"));
  EXPECT_EQ(query_of({{"table", "checks"}}).table, "checks");
}

TEST(HistoryRequest, BadValuesAreRefusedWithAClearMessage) {
  EXPECT_EQ(error_of({{"step", "week"}}), "step: expected hour or day, got 'week'");
  EXPECT_EQ(error_of({{"since", "yesterday"}}),
            "since: expected an RFC 3339 UTC time like 2026-11-01T00:00:00Z or a duration like "
            "90m, 24h or 7d, got 'yesterday'");
  EXPECT_NE(error_of({{"since", "2026-11-01T00:00:00+02:00"}}).find("RFC 3339 UTC"),
            std::string::npos);
  EXPECT_EQ(error_of({{"since", "-5d"}}).rfind("since: expected", 0), 0u);
  EXPECT_EQ(error_of({{"since", "2026-11-26T00:00:00Z"}}), "since: the time is in the future");
  EXPECT_EQ(error_of({{"since", "0001-01-01T00:00:00Z"}}), "since: at most 400 days back");
  EXPECT_EQ(error_of({{"since", "401d"}}), "since: at most 400 days back");
  EXPECT_EQ(error_of({{"since", "9999999999999d"}}).rfind("since: expected", 0), 0u);
  EXPECT_EQ(error_of({{"since", "400d"}, {"step", "day"}}), "accepted");
  EXPECT_EQ(error_of({{"since", "400d"}}), "accepted");  // 9,601 hourly buckets
  EXPECT_EQ(error_of({{"until", "1d"}}),
            "unknown parameter 'until': expected since, step or table");
  EXPECT_EQ(error_of({{"step", "day"}, {"step", "hour"}}), "parameter 'step' given twice");
  EXPECT_EQ(error_of({{"table", std::string(64, 't')}}), "table: longer than 63 bytes");
  // Echoed values are bounded and valid UTF-8.
  const std::string echoed = error_of({{"step", std::string(500, 'x') + "\xFF"}});
  EXPECT_LT(echoed.size(), 150u);
  EXPECT_EQ(echoed.find('\xFF'), std::string::npos);
}

TEST(HistoryRequest, LoopbackHostsAreRecognised) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "example.com", "", "::ffff:127.0.0.1"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace hc::serve
