// The status page with hostile rows: every value from the database is escaped, no tag or
// attribute can be injected, and the page still says per site what its state is.
#include "status_page.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "hc/common/message.h"
#include "hc/common/url_digest.h"

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }

SiteOverview site(std::string table, std::string url, bool up) {
  SiteOverview overview;
  overview.table = std::move(table);
  overview.url_digest = url_digest(url);
  overview.url = std::move(url);
  overview.up = up;
  overview.state = overview.up ? "up" : "down";
  overview.last_checked_at = at("2026-11-25T12:59:30Z");
  overview.uptime_24h = {100, up ? 100 : 40};
  overview.uptime_7d = {700, 650};
  overview.uptime_30d = {3000, 2999};
  overview.p95_response_us_24h = 123456;
  overview.cert_days_left = 42.7;
  overview.days = {{at("2026-11-25T00:00:00Z"), {100, 100}}};
  return overview;
}

// A one-page overview of `sites` (the totals are theirs).
Overview whole(std::vector<SiteOverview> sites) {
  Overview overview;
  overview.total_sites = sites.size();
  overview.up_sites = static_cast<std::size_t>(
      std::count_if(sites.begin(), sites.end(), [](const auto& s) { return s.up; }));
  overview.sites = std::move(sites);
  return overview;
}

// Every tag the page may contain; anything else came from the data.
const std::set<std::string> kAllowedTags = {
    "!doctype", "html", "head",    "meta", "title", "style", "body",   "header", "h1", "p",
    "strong",   "main", "section", "h2",   "small", "table", "thead",  "tr",     "th", "tbody",
    "td",       "a",    "span",    "time", "svg",   "path",  "footer", "nav"};

void expect_only_page_tags(const std::string& html) {
  // The style block holds CSS, not tags.
  const auto style_end = html.find("</style>");
  const std::string body = html.substr(style_end);
  const std::regex tag(R"(<\s*/?\s*([!A-Za-z][A-Za-z0-9]*))");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), tag); it != std::sregex_iterator();
       ++it) {
    std::string name = (*it)[1];
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(kAllowedTags.count(name) != 0 || name == "title") << "unexpected tag <" << name;
  }
}

TEST(StatusPage, HostileValuesAreEscapedEverywhere) {
  SiteOverview evil = site("checks", R"(https://evil/"><script>alert(1)</script>&x='y')", false);
  evil.last_error = R"x(<img src=x onerror="alert(2)"> & "quoted" 'single')x";
  evil.last_failed_conditions = {"<b>bold</b>"};
  SiteOverview scheme = site("checks", "javascript:alert(3)//\xFF\xFE", false);
  scheme.last_error = std::nullopt;
  scheme.last_failed_conditions = {"header:<X-Evil>", "regex"};
  const std::string html = render_status_page(
      whole({evil, scheme, site("checks", "https://ok/", true)}), at("2026-11-25T13:00:00Z"));

  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<X-Evil>"), std::string::npos);
  EXPECT_EQ(html.find("onerror=\""), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos);
  EXPECT_EQ(html.find('\xFF'), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&amp;x=&#39;y&#39;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &amp; &quot;quoted&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("conditions: header:&lt;X-Evil&gt;, regex"), std::string::npos);
  EXPECT_NE(html.find("javascript:alert(3)//\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos);
  // An http(s) URL is a link; another scheme is only text.
  EXPECT_NE(html.find(R"(<a href="https://ok/")"), std::string::npos);
  expect_only_page_tags(html);
}

TEST(StatusPage, EachSiteRowCarriesItsStateGroupedByTable) {
  const std::string html = render_status_page(
      whole({site("alpha", "https://a/", true), site("alpha", "https://b/", false),
             site("beta", "https://c/", true)}),
      at("2026-11-25T13:00:00Z"));
  const auto alpha = html.find(R"(<section class="table" data-table="alpha">)");
  const auto beta = html.find(R"(<section class="table" data-table="beta">)");
  ASSERT_NE(alpha, std::string::npos);
  ASSERT_NE(beta, std::string::npos);
  EXPECT_LT(alpha, beta);
  const auto a = html.find(R"(data-url="https://a/" data-state="up")");
  const auto b = html.find(R"(data-url="https://b/" data-state="down")");
  const auto c = html.find(R"(data-url="https://c/" data-state="up")");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(alpha, a);
  EXPECT_LT(b, beta);
  EXPECT_LT(beta, c);
  EXPECT_NE(html.find("2 up</strong>"), std::string::npos);
  EXPECT_NE(html.find("1 down</strong>"), std::string::npos);
  // The row's numbers: 24 h uptime, p95 in ms, certificate days, age of the last check.
  EXPECT_NE(html.find(">40.00%</td>"), std::string::npos);
  EXPECT_NE(html.find(">99.96%</td>"), std::string::npos);  // 2999/3000, truncated
  EXPECT_NE(html.find(">123 ms</td>"), std::string::npos);
  EXPECT_NE(html.find(">42 d</td>"), std::string::npos);
  EXPECT_NE(html.find(">30 s ago</time>"), std::string::npos);
  // The history link names the site by its digest: no URL (nor its query) in a link.
  EXPECT_NE(html.find("/api/v1/sites/" + url_digest("https://a/") + "/history"), std::string::npos);
  EXPECT_EQ(html.find("/api/v1/sites/https"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(StatusPage, ACheckOtherThanHttpIsMarkedWithItsTypeBesideTheUrl) {
  SiteOverview tcp = site("alpha", "tcp://db.test:5432", true);
  tcp.check_type = "tcp";
  SiteOverview hostile = site("alpha", "dns://127.0.0.1:53/x.test", true);
  hostile.check_type = "<b>dns";
  const std::string html = render_status_page(
      whole({site("alpha", "https://a/", true), tcp, hostile}), at("2026-11-25T13:00:00Z"));
  EXPECT_NE(html.find(R"(<span title="tcp://db.test:5432">tcp://db.test:5432</span>)"
                      R"( <span class="type">tcp</span>)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(<span class="type">&lt;b&gt;dns</span>)"), std::string::npos);
  EXPECT_EQ(html.find(R"(<span class="type">http</span>)"), std::string::npos);
  expect_only_page_tags(html);
}

TEST(StatusPage, AMaintenanceMarksItsSitesRowCurrentFirstItsTextEscaped) {
  const WallTime now = at("2026-11-25T13:00:00Z");
  const auto seconds_at = [](const char* text) {
    return std::chrono::floor<std::chrono::seconds>(at(text));
  };
  const MaintenanceLookup maintenance = [&](std::string_view url) {
    std::vector<SilenceNotice> notices;
    if (url == "https://a/") {
      notices.push_back(SilenceNotice{SilencePeriod{"nightly", seconds_at("2026-11-26T03:00:00Z"),
                                                    seconds_at("2026-11-26T03:30:00Z")},
                                      false, "", ""});
      notices.push_back(SilenceNotice{SilencePeriod{"0123", seconds_at("2026-11-25T12:00:00Z"),
                                                    seconds_at("2026-11-25T14:00:00Z")},
                                      true, "<script>alert(1)</script> \"db\"", "<b>ops</b>"});
    } else if (url == "https://b/") {
      notices.push_back(SilenceNotice{SilencePeriod{"nightly", seconds_at("2026-11-26T03:00:00Z"),
                                                    seconds_at("2026-11-26T03:30:00Z")},
                                      false, "", ""});
    }
    return notices;
  };
  const std::string html = render_status_page(
      whole({site("alpha", "https://a/", true), site("alpha", "https://b/", true),
             site("alpha", "https://c/", true)}),
      now, maintenance);
  EXPECT_NE(
      html.find(
          R"x(<span class="maintenance now" title="&lt;script&gt;alert(1)&lt;/script&gt;)x"
          R"x( &quot;db&quot; (by &lt;b&gt;ops&lt;/b&gt;)">maintenance until 2026-11-25 14:00:00)x"
          R"x( UTC</span>)x"),
      std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(<span class="maintenance" title="planned maintenance">maintenance from )"
                      R"(2026-11-26 03:00:00 UTC until 2026-11-26 03:30:00 UTC</span>)"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("maintenance until", html.find(R"(data-url="https://c/")")),
            std::string::npos);
  expect_only_page_tags(html);
}

TEST(StatusPage, NoSitesSaysSo) {
  const std::string html = render_status_page(whole({}), at("2026-11-25T13:00:00Z"));
  EXPECT_NE(html.find("No measurements yet"), std::string::npos);
  EXPECT_EQ(html.find("<table>"), std::string::npos);
  EXPECT_EQ(html.find("<nav"), std::string::npos);
  EXPECT_NE(html.find("0 up</strong> · <strong class=\"down\">0 down</strong> · 0 sites"),
            std::string::npos);
}

// The second page (sites 3..4) of 5 in two tables, 4 of them up: "alpha" began on the first
// page, "beta" goes on to the third.
Overview second_of_three_pages() {
  Overview overview;
  overview.total_sites = 5;
  overview.up_sites = 4;
  overview.page = {2, 2};
  overview.sites = {site("alpha", "https://c/", true), site("beta", "https://d/", false)};
  return overview;
}

TEST(StatusPage, TheSummaryCountsEverySiteAndTheRangeThePage) {
  const std::string html = render_status_page(second_of_three_pages(), at("2026-11-25T13:00:00Z"));
  EXPECT_NE(html.find("<title>hc status: 4 up, 1 down</title>"), std::string::npos) << html;
  EXPECT_NE(html.find("<strong class=\"up\">4 up</strong> · <strong class=\"down\">1 down"
                      "</strong> · 5 sites · as of"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"range\">sites 3–4 of 5</span>"), std::string::npos);
  // Neither table is known to be whole on this page: the count says so.
  EXPECT_NE(html.find("alpha <small>1 site on this page</small>"), std::string::npos);
  EXPECT_NE(html.find("beta <small>1 site on this page</small>"), std::string::npos);
  expect_only_page_tags(html);
}

TEST(StatusPage, PreviousAndNextArePlainLinksAbsentAtTheEnds) {
  Overview middle = second_of_three_pages();
  const std::string html = render_status_page(middle, at("2026-11-25T13:00:00Z"));
  EXPECT_NE(html.find(R"(<a rel="prev" href="/?offset=0&amp;limit=2">Previous</a>)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(<a rel="next" href="/?offset=4&amp;limit=2">Next</a>)"),
            std::string::npos);

  Overview first = middle;
  first.page.offset = 0;
  first.sites = {site("alpha", "https://a/", true), site("alpha", "https://b/", true)};
  const std::string first_html = render_status_page(first, at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(first_html.find("rel=\"prev\""), std::string::npos);
  EXPECT_NE(first_html.find(R"(href="/?offset=2&amp;limit=2">Next</a>)"), std::string::npos);
  EXPECT_NE(first_html.find("sites 1–2 of 5"), std::string::npos);

  Overview last = middle;
  last.page.offset = 4;
  last.sites = {site("beta", "https://e/", true)};
  const std::string last_html = render_status_page(last, at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(last_html.find("rel=\"next\""), std::string::npos);
  EXPECT_NE(last_html.find(R"(href="/?offset=2&amp;limit=2">Previous</a>)"), std::string::npos);
  EXPECT_NE(last_html.find("sites 5–5 of 5"), std::string::npos);
}

TEST(StatusPage, ATableBetweenOthersOnThePageIsCountedWhole) {
  Overview overview;
  overview.total_sites = 10;
  overview.up_sites = 10;
  overview.page = {3, 4};
  overview.sites = {site("alpha", "https://a/", true), site("beta", "https://b/", true),
                    site("beta", "https://c/", true), site("gamma", "https://d/", true)};
  const std::string html = render_status_page(overview, at("2026-11-25T13:00:00Z"));
  EXPECT_NE(html.find("alpha <small>1 site on this page</small>"), std::string::npos);
  EXPECT_NE(html.find("beta <small>2 sites</small>"), std::string::npos);
  EXPECT_NE(html.find("gamma <small>1 site on this page</small>"), std::string::npos);
  // All sites on one page: every table is whole.
  const std::string one_page =
      render_status_page(whole({site("alpha", "https://a/", true)}), at("2026-11-25T13:00:00Z"));
  EXPECT_NE(one_page.find("alpha <small>1 site</small>"), std::string::npos);
  EXPECT_EQ(one_page.find("rel=\"next\""), std::string::npos);
  EXPECT_EQ(one_page.find("rel=\"prev\""), std::string::npos);
}

TEST(StatusPage, APagePastTheEndSaysSoAndLinksToTheFirst) {
  Overview past = second_of_three_pages();
  past.page = {40, 2};
  past.sites.clear();
  const std::string html = render_status_page(past, at("2026-11-25T13:00:00Z"));
  EXPECT_EQ(html.find("No measurements yet"), std::string::npos);
  EXPECT_NE(html.find("This page is empty: it starts at site 41, and there are 5 sites."),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(R"(<a class="first" href="/?offset=0&amp;limit=2">First page</a>)"),
            std::string::npos);
  EXPECT_NE(html.find("4 up</strong>"), std::string::npos);  // the totals still show
  EXPECT_EQ(html.find("<table>"), std::string::npos);
  EXPECT_EQ(html.find("rel=\"next\""), std::string::npos);
  expect_only_page_tags(html);
}

TEST(StatusPage, AgeAndHistoryPath) {
  const WallTime now = at("2026-11-25T13:00:00Z");
  EXPECT_EQ(age_text(now, now), "just now");
  EXPECT_EQ(age_text(now + std::chrono::seconds(5), now), "just now");
  EXPECT_EQ(age_text(now - std::chrono::seconds(119), now), "119 s ago");
  EXPECT_EQ(age_text(now - std::chrono::minutes(90), now), "90 min ago");
  EXPECT_EQ(age_text(now - std::chrono::hours(30), now), "30 h ago");
  EXPECT_EQ(age_text(now - std::chrono::hours(24 * 9), now), "9 d ago");
  EXPECT_EQ(history_path("https://a.b/c?d=e f"),
            "/api/v1/sites/https%3A%2F%2Fa.b%2Fc%3Fd%3De%20f/history");
}

}  // namespace
}  // namespace hc::serve
