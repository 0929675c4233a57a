// Maintenance on the pages of the built `hc serve`: a runtime silence POSTed through its admin
// API (into the silences topic of hc-devbroker), followed back by hc serve, shows on the
// overview, the site page and /api/v1/status of the site it covers, and not on another's; a
// config silence of the notify section shows as upcoming; hostile text in the comment stays
// inert (HTML-escaped). After DELETE the mark goes away.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hc/common/url_digest.h"
#include "hc/test/support.h"

namespace hc {
namespace {

using std::chrono::seconds;

constexpr const char* kToken = "maintenance-token-0123456789";
constexpr const char* kShop = "https://shop.test/";
constexpr const char* kBlog = "https://blog.test/";
constexpr const char* kHostile = "<script>alert(1)</script> & \"db\" upgrade";

TEST(MaintenanceE2e, ARuntimeSilenceShowsOnTheSitesPagesEscapedUntilDeleted) {
  test::TempDir dir;
  test::TempPostgres postgres;
  test::DevBroker broker({{"notify.silences", 1}, {"healthcheck.events", 1}});
  const auto config = dir.path() / "config.yaml";
  std::ofstream(config)
      << "healthcheck-consumer-config:\n"
      << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
      << "  topics:\n"
      << "    - source_topic: healthcheck\n"
      << "      connection_uri: \"" << postgres.uri() << "\"\n"
      << "      table_name: checks\n"
      << "healthcheck-notify-config:\n"
      << "  bootstrap_servers: [\"" << broker.bootstrap_servers() << "\"]\n"
      << "  events_topics: [healthcheck.events]\n"
      << "  channels:\n"
      << "    - {name: hook, type: webhook, url: \"http://127.0.0.1:9/hook\"}\n"
      << "  routes:\n"
      << "    - {channels: [hook]}\n"
      << "  silences:\n"
      << "    - {name: yearly-move, url_regex: \"blog\\\\.test\", starts_at: "
         "\"2099-01-01T00:00:00Z\", ends_at: \"2099-01-02T00:00:00Z\"}\n"
      << "    - {name: nightly, url_regex: \"blog\\\\.test\", weekly: {from: \"03:00\", to: "
         "\"03:30\"}}\n"
      << "healthcheck-serve-config:\n"
      << "  api_token: \"" << kToken << "\"\n";
  auto migrated = test::run_hc({"migrate", "-c", config.string()});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  postgres.query(
      "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
      " status_code, regex_present, error, healthy)"
      " SELECT sha256(convert_to(u, 'UTF8')), now() - interval '1 minute', 20000, u, 200, false,"
      " NULL, true FROM unnest(ARRAY['" +
      std::string(kShop) + "', '" + kBlog + "']) AS u;" +
      test::record_like_the_consumer_sql("checks"));

  const int port = test::unused_loopback_port();
  test::ChildProcess serve = test::start_serve(config, dir, port);
  const auto log = [&] { return test::read_file(dir.path() / "serve.log"); };
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(seconds(20));
  ASSERT_TRUE(test::eventually(
      [&] {
        auto health = client.Get("/healthz");
        return health && health->status == 200;
      },
      seconds(20)))
      << log();

  // Rows of the overview, by URL.
  const auto row_of = [](const std::string& html, const std::string& url) {
    const auto start = html.find("data-url=\"" + url + "\"");
    if (start == std::string::npos) return std::string("no row for " + url);
    return html.substr(start, html.find("</tr>", start) - start);
  };
  // The config's nightly window shows on the blog's row before any runtime silence.
  auto first = client.Get("/");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_NE(row_of(first->body, kBlog).find("class=\"maintenance"), std::string::npos)
      << first->body;
  EXPECT_EQ(row_of(first->body, kShop).find("class=\"maintenance"), std::string::npos)
      << first->body;

  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kToken}};
  const nlohmann::json request = {{"url_regex", "^https://shop\\.test/"},
                                  {"duration", "2h"},
                                  {"comment", kHostile},
                                  {"created_by", "<b>ops</b>"}};
  auto posted = client.Post("/api/v1/silences", bearer, request.dump(), "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 201) << posted->body << log();
  const std::string id = nlohmann::json::parse(posted->body)["id"];

  const std::string shop_page = "/sites/" + url_digest(kShop);
  std::string page;
  ASSERT_TRUE(test::eventually(
      [&] {
        auto got = client.Get(shop_page);
        if (!got || got->status != 200) return false;
        page = got->body;
        return page.find("<section class=\"box maintenance\">") != std::string::npos;
      },
      seconds(20)))
      << page << log();
  EXPECT_NE(page.find("<strong>Now</strong> until "), std::string::npos) << page;
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;db&quot; upgrade (by "
                      "&lt;b&gt;ops&lt;/b&gt;)"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find(id), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>ops"), std::string::npos);

  auto overview = client.Get("/");
  ASSERT_TRUE(overview);
  const std::string& html = overview->body;
  const std::string shop = row_of(html, kShop);
  const std::string blog = row_of(html, kBlog);
  EXPECT_NE(shop.find(R"(<span class="maintenance now" title="&lt;script&gt;alert(1))"),
            std::string::npos)
      << shop;
  EXPECT_NE(shop.find(">maintenance until "), std::string::npos) << shop;
  // The blog has only the config's nightly window (the yearly one is beyond the horizon).
  EXPECT_NE(blog.find("class=\"maintenance"), std::string::npos) << blog;
  EXPECT_EQ(blog.find("script"), std::string::npos) << blog;
  EXPECT_EQ(html.find("<script"), std::string::npos);

  auto json = client.Get("/api/v1/status");
  ASSERT_TRUE(json);
  const auto sites = nlohmann::json::parse(json->body)["sites"];
  for (const auto& site : sites) {
    if (site["url"] == kShop) {
      ASSERT_EQ(site["maintenance"].size(), 1U) << site;
      EXPECT_EQ(site["maintenance"][0]["name"], id);
      EXPECT_EQ(site["maintenance"][0]["source"], "runtime");
      EXPECT_EQ(site["maintenance"][0]["current"], true);
      EXPECT_EQ(site["maintenance"][0]["comment"], kHostile);
    } else {
      ASSERT_GE(site["maintenance"].size(), 1U) << site;
      EXPECT_EQ(site["maintenance"][0]["source"], "config");
      EXPECT_EQ(site["maintenance"][0]["name"], "nightly");
    }
  }

  auto deleted = client.Delete("/api/v1/silences/" + id, bearer);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_TRUE(test::eventually(
      [&] {
        auto got = client.Get(shop_page);
        return got && got->status == 200 &&
               got->body.find("class=\"box maintenance\"") == std::string::npos;
      },
      seconds(20)))
      << log();
  serve.send_signal(SIGTERM);
  EXPECT_EQ(serve.wait_for_exit(seconds(10)), 0) << log();
}

}  // namespace
}  // namespace hc
