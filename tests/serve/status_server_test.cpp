// hc serve's HTTP server in this process, over loopback, reading a real PostgreSQL through
// the query layer: the page, the JSON API, history by hour and day, and every refusal.
#include "hc/serve/status_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "hc/common/config.h"
#include "hc/test/fake_clock.h"
#include "hc/test/support.h"
#include "status_page.h"

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }

const std::string kUpUrl = "https://up.example/";
const std::string kHostileUrl = R"(https://down.example/<script>alert('x')</script>?a=1&b="2")";
const std::string kHostileError = R"(<img src=x onerror=alert(1)> & "q")";

// Sends `request` as is on a fresh connection and returns the status line.
std::string raw_status_line(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "connect failed";
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    answer.append(buffer, static_cast<std::size_t>(n));
    if (answer.find("\r\n") != std::string::npos) break;
  }
  close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

class StatusServerTest : public testing::Test {
 protected:
  // One database and one server for the suite: the tests only read.
  struct World {
    test::TempPostgres postgres;
    test::TempDir dir;
    test::FakeClock clock{at("2026-11-25T12:30:00Z")};
    std::unique_ptr<StatusSource> source;
    std::unique_ptr<StatusServer> server;
  };

  static void SetUpTestSuite() {
    suite = std::make_unique<World>();
    World& world = *suite;
    const auto config_path = world.dir.path() / "config.yaml";
    std::ofstream(config_path) << "healthcheck-consumer-config:\n"
                               << "  bootstrap_servers: [\"127.0.0.1:9\"]\n"
                               << "  topics:\n"
                               << "    - source_topic: healthcheck\n"
                               << "      connection_uri: \"" << world.postgres.uri() << "\"\n"
                               << "      table_name: checks\n";
    auto migrated =
        test::run_command({test::hc_binary().string(), "migrate", "-c", config_path.string()});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
    // up.example: every 10 min from 2026-11-22T00:00Z to 2026-11-25T12:20Z (507 checks), two
    // timeouts in the hour 2026-11-24T05. The hostile site: three failed checks at 11:xx.
    world.postgres.query(
        "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
        " status_code, regex_present, error, healthy, cert_expires_at)"
        " SELECT sha256(convert_to('" +
        kUpUrl + "', 'UTF8')), t, 1000, '" + kUpUrl +
        "',"
        "  200, false,"
        "  CASE WHEN t IN ('2026-11-24T05:10:00Z', '2026-11-24T05:20:00Z') THEN 'timeout' END,"
        "  NULL, '2026-12-25T12:30:00Z'"
        " FROM generate_series(timestamptz '2026-11-22T00:00:00Z',"
        "  timestamptz '2026-11-25T12:20:00Z', interval '10 minutes') t;"
        "INSERT INTO checks (url_digest, measurement_time, response_time_microseconds, uri,"
        " status_code, regex_present, error, healthy)"
        " SELECT sha256(convert_to($u$" +
        kHostileUrl + "$u$, 'UTF8')), t, 5000, $u$" + kHostileUrl + "$u$, 500, false, $e$" +
        kHostileError +
        "$e$, false"
        " FROM generate_series(timestamptz '2026-11-25T11:00:00Z',"
        "  timestamptz '2026-11-25T11:20:00Z', interval '10 minutes') t;" +
        test::record_like_the_consumer_sql("checks"));
    auto config = load_config(config_path, process_environment());
    ASSERT_TRUE(config.config && config.config->consumer);
    world.source = postgres_status_source(*config.config->consumer, std::chrono::seconds(10));
    world.server = std::make_unique<StatusServer>(ServerOptions{"127.0.0.1:0", false},
                                                  *world.source, world.clock);
  }
  static void TearDownTestSuite() { suite.reset(); }

  static int port() { return suite->server->port(); }
  static httplib::Result get(const std::string& target) {
    httplib::Client client("127.0.0.1", port());
    client.set_connection_timeout(5);
    client.set_read_timeout(20);
    return client.Get(target);
  }

  static std::unique_ptr<World> suite;
};

std::unique_ptr<StatusServerTest::World> StatusServerTest::suite;

TEST_F(StatusServerTest, StatusJsonCountsWholeHoursAndDays) {
  auto response = get("/api/v1/status");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json; charset=utf-8");
  const auto body = nlohmann::json::parse(response->body);
  ASSERT_EQ(body["sites"].size(), 2u) << body.dump(2);
  const auto& hostile = body["sites"][0];
  const auto& up = body["sites"][1];
  EXPECT_EQ(hostile["url"], kHostileUrl);
  EXPECT_EQ(hostile["state"], "down");
  EXPECT_EQ(hostile["last_error"], kHostileError);
  EXPECT_EQ(hostile["uptime"]["24h"]["checks"], 3);
  EXPECT_EQ(hostile["uptime"]["24h"]["uptime_percent"], 0.0);

  EXPECT_EQ(up["url"], kUpUrl);
  EXPECT_EQ(up["state"], "up");
  EXPECT_EQ(up["last_checked_at"], "2026-11-25T12:20:00.000000Z");
  EXPECT_EQ(up["last_status_code"], 200);
  EXPECT_TRUE(up["last_error"].is_null());
  EXPECT_NEAR(up["cert_days_left"].get<double>(), 30.0, 1e-6);
  EXPECT_EQ(up["p95_response_us_24h"], 1000);
  // 24 h: the hours 2026-11-24T13 .. 2026-11-25T12 (23 full hours of 6 checks, then 3).
  EXPECT_EQ(up["uptime"]["24h"]["checks"], 141);
  EXPECT_EQ(up["uptime"]["24h"]["up_checks"], 141);
  EXPECT_EQ(up["uptime"]["7d"]["checks"], 507);
  EXPECT_EQ(up["uptime"]["7d"]["up_checks"], 505);
  EXPECT_EQ(up["uptime"]["30d"]["checks"], 507);
  ASSERT_EQ(up["days"].size(), 4u);
  EXPECT_EQ(up["days"][0]["day"], "2026-11-22");
  EXPECT_EQ(up["days"][0]["checks"], 144);
  EXPECT_EQ(up["days"][2]["up_checks"], 142);
  EXPECT_EQ(up["days"][3]["day"], "2026-11-25");
  EXPECT_EQ(up["days"][3]["checks"], 75);
}

TEST_F(StatusServerTest, PageShowsEachSiteWithEveryDatabaseValueEscaped) {
  auto response = get("/");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(response->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  const std::string& html = response->body;
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find(R"(data-url="https://up.example/" data-state="up")"), std::string::npos);
  EXPECT_NE(html.find("data-url=\"https://down.example/&lt;script&gt;alert(&#39;x&#39;)&lt;/"
                      "script&gt;?a=1&amp;b=&quot;2&quot;\" data-state=\"down\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;"), std::string::npos);
  EXPECT_NE(html.find("<title>2026-11-24: 98.61% up (144 checks)</title>"), std::string::npos);
  EXPECT_NE(html.find("1 up</strong>"), std::string::npos);
}

TEST_F(StatusServerTest, HistoryByHourAndByDay) {
  auto by_day = get(history_path(kUpUrl) + "?since=2026-11-23T10:00:00Z&step=day");
  ASSERT_TRUE(by_day);
  ASSERT_EQ(by_day->status, 200) << by_day->body;
  auto days = nlohmann::json::parse(by_day->body);
  EXPECT_EQ(days["url"], kUpUrl);
  EXPECT_EQ(days["table"], "checks");
  EXPECT_EQ(days["step"], "day");
  EXPECT_EQ(days["since"], "2026-11-23T00:00:00.000000Z");
  ASSERT_EQ(days["buckets"].size(), 3u) << days.dump(2);
  EXPECT_EQ(days["buckets"][0]["start"], "2026-11-23T00:00:00.000000Z");
  EXPECT_EQ(days["buckets"][0]["checks"], 144);
  EXPECT_EQ(days["buckets"][1]["checks"], 144);
  EXPECT_EQ(days["buckets"][1]["up_checks"], 142);
  EXPECT_EQ(days["buckets"][2]["checks"], 75);
  EXPECT_EQ(days["buckets"][2]["p95_response_us"], 1000);

  auto by_hour = get(history_path(kUpUrl) + "?since=2026-11-24T04:30:00Z&step=hour");
  ASSERT_TRUE(by_hour);
  ASSERT_EQ(by_hour->status, 200) << by_hour->body;
  auto hours = nlohmann::json::parse(by_hour->body);
  ASSERT_EQ(hours["buckets"].size(), 33u);
  EXPECT_EQ(hours["buckets"][0]["start"], "2026-11-24T04:00:00.000000Z");
  EXPECT_EQ(hours["buckets"][1]["start"], "2026-11-24T05:00:00.000000Z");
  EXPECT_EQ(hours["buckets"][1]["checks"], 6);
  EXPECT_EQ(hours["buckets"][1]["up_checks"], 4);
  EXPECT_NEAR(hours["buckets"][1]["uptime_percent"].get<double>(), 66.667, 0.001);
  EXPECT_EQ(hours["buckets"][32]["checks"], 3);

  // The hostile URL, percent-encoded, finds its site; a table filter that does not hold it 404s.
  auto hostile = get(history_path(kHostileUrl) + "?since=2d");
  ASSERT_TRUE(hostile);
  EXPECT_EQ(hostile->status, 200) << hostile->body;
  EXPECT_EQ(nlohmann::json::parse(hostile->body)["url"], kHostileUrl);
  auto other_table = get(history_path(kUpUrl) + "?table=other");
  ASSERT_TRUE(other_table);
  EXPECT_EQ(other_table->status, 404);
}

TEST_F(StatusServerTest, UnknownSitesAndPathsAre404BadParameters400) {
  auto unknown = get(history_path("https://nobody.example/"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("no such site"), std::string::npos);
  auto path = get("/api/v1/nothing");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->status, 404);
  EXPECT_NE(path->body.find("not found"), std::string::npos);
  auto step = get(history_path(kUpUrl) + "?step=minute");
  ASSERT_TRUE(step);
  EXPECT_EQ(step->status, 400);
  EXPECT_EQ(step->body, "step: expected hour or day, got 'minute'\n");
  auto span = get(history_path(kUpUrl) + "?since=1000d");
  ASSERT_TRUE(span);
  EXPECT_EQ(span->status, 400);
  EXPECT_EQ(span->body, "since: at most 400 days back\n");
  auto escape = get("/api/v1/sites/%zz/history");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 400);
}

TEST_F(StatusServerTest, OnlyGetAndHeadAreServed) {
  httplib::Client client("127.0.0.1", port());
  auto head = client.Head("/");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto head_json = client.Head("/api/v1/status");
  ASSERT_TRUE(head_json);
  EXPECT_EQ(head_json->status, 200);
  for (const auto& result : {client.Post("/", "x", "text/plain"), client.Put("/api/v1/status"),
                             client.Delete(history_path(kUpUrl))}) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 405);
    EXPECT_EQ(result->get_header_value("Allow"), "GET, HEAD");
  }
  auto options = client.Options("/");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 405);
}

TEST_F(StatusServerTest, OversizedRequestsAreRefused) {
  const int server_port = port();
  EXPECT_EQ(raw_status_line(server_port, "GET /" + std::string(7500, 'a') +
                                             " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 414 URI Too Long");
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(raw_status_line(server_port, many + "\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(raw_status_line(server_port,
                            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            "Content-Length: 5000\r\n\r\n" +
                                std::string(5000, 'b')),
            "HTTP/1.1 413 Content Too Large");  // RFC 9110's name for it
  // Still serving.
  auto after = get("/api/v1/status");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

// A source that fails: the server answers 503 without the reason (which is logged).
class FailingSource final : public StatusSource {
 public:
  Overview overview(WallTime, const OverviewPage&) override {
    throw std::runtime_error("secret-detail: connection refused");
  }
  std::optional<SiteHistory> history(const HistoryQuery&) override {
    throw std::runtime_error("secret-detail: connection refused");
  }
  std::optional<SiteDetail> site(const std::string&, const SiteWindow&, WallTime) override {
    throw std::runtime_error("secret-detail: connection refused");
  }
  MonthReport report(const ReportMonth&, WallTime) override {
    throw std::runtime_error("secret-detail: connection refused");
  }
};

TEST(StatusServer, ADatabaseFailureIs503WithoutItsDetail) {
  FailingSource source;
  const SystemClock clock;
  StatusServer server(ServerOptions{"127.0.0.1:0", false}, source, clock);
  httplib::Client client("127.0.0.1", server.port());
  for (const std::string& target : std::vector<std::string>{
           "/", "/api/v1/status", history_path("https://a/"), "/sites/https%3A%2F%2Fa%2F",
           "/badges/https%3A%2F%2Fa%2F/status.svg", "/api/v1/report?month=2026-11"}) {
    auto response = client.Get(target);
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 503) << target;
    EXPECT_EQ(response->body.find("secret-detail"), std::string::npos) << response->body;
  }
}

// A source of `count` sites in one table ("https://site-0/" ...; the even ones up) that
// serves the page it is asked for and remembers it.
class ListSource final : public StatusSource {
 public:
  explicit ListSource(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      SiteOverview site;
      site.table = "checks";
      site.url = "https://site-" + std::to_string(i) + "/";
      site.up = i % 2 == 0;
      site.state = site.up ? "up" : "down";
      sites_.push_back(std::move(site));
    }
  }
  Overview overview(WallTime, const OverviewPage& page) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    asked_ = page;
    Overview overview;
    overview.total_sites = sites_.size();
    overview.up_sites = (sites_.size() + 1) / 2;
    overview.page = page;
    for (std::size_t i = page.offset; i < sites_.size() && i < page.offset + page.limit; ++i) {
      overview.sites.push_back(sites_[i]);
    }
    return overview;
  }
  std::optional<SiteHistory> history(const HistoryQuery&) override { return std::nullopt; }
  std::optional<SiteDetail> site(const std::string&, const SiteWindow&, WallTime) override {
    return std::nullopt;
  }
  MonthReport report(const ReportMonth&, WallTime) override { return {}; }

  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  OverviewPage asked() {
    std::lock_guard lock(mutex_);
    return asked_;
  }

 private:
  std::vector<SiteOverview> sites_;
  std::mutex mutex_;
  int calls_ = 0;         // guarded by mutex_
  OverviewPage asked_{};  // guarded by mutex_
};

TEST(StatusServer, TheOverviewPageAskedForReachesTheSourceAndIsRendered) {
  ListSource source(5);
  const SystemClock clock;
  StatusServer server(ServerOptions{"127.0.0.1:0", false}, source, clock);
  httplib::Client client("127.0.0.1", server.port());

  auto json = client.Get("/api/v1/status?offset=2&limit=2");
  ASSERT_TRUE(json);
  ASSERT_EQ(json->status, 200) << json->body;
  EXPECT_EQ(source.asked().offset, 2u);
  EXPECT_EQ(source.asked().limit, 2u);
  const auto body = nlohmann::json::parse(json->body);
  EXPECT_EQ(body["total_sites"], 5);
  EXPECT_EQ(body["up_sites"], 3);
  EXPECT_EQ(body["down_sites"], 2);
  EXPECT_EQ(body["next"], "/api/v1/status?offset=4&limit=2");
  ASSERT_EQ(body["sites"].size(), 2u);
  EXPECT_EQ(body["sites"][0]["url"], "https://site-2/");

  auto html = client.Get("/?offset=4&limit=2");
  ASSERT_TRUE(html);
  ASSERT_EQ(html->status, 200) << html->body;
  EXPECT_NE(html->body.find("sites 5–5 of 5"), std::string::npos);
  EXPECT_NE(html->body.find(R"(<a rel="prev" href="/?offset=2&amp;limit=2">)"), std::string::npos);
  EXPECT_EQ(html->body.find(R"(rel="next")"), std::string::npos);
  EXPECT_NE(html->body.find(R"(data-url="https://site-4/")"), std::string::npos);
  EXPECT_EQ(html->body.find(R"(data-url="https://site-3/")"), std::string::npos);

  auto defaults = client.Get("/");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(source.asked().offset, 0u);
  EXPECT_EQ(source.asked().limit, 100u);

  auto past = client.Get("/api/v1/status?offset=1000000000&limit=1000");
  ASSERT_TRUE(past);
  ASSERT_EQ(past->status, 200) << past->body;
  EXPECT_EQ(nlohmann::json::parse(past->body)["sites"], nlohmann::json::array());
  EXPECT_EQ(nlohmann::json::parse(past->body)["total_sites"], 5);
}

TEST(StatusServer, ABadOverviewParameterIs400AndNothingIsRead) {
  ListSource source(5);
  const SystemClock clock;
  StatusServer server(ServerOptions{"127.0.0.1:0", false}, source, clock);
  httplib::Client client("127.0.0.1", server.port());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"?limit=0", "limit: expected a whole number from 1 to 1000, got '0'\n"},
      {"?limit=1001", "limit: expected a whole number from 1 to 1000, got '1001'\n"},
      {"?limit=%2B5", "limit: expected a whole number from 1 to 1000, got '+5'\n"},
      {"?limit=1e3", "limit: expected a whole number from 1 to 1000, got '1e3'\n"},
      {"?offset=-1", "offset: expected a whole number from 0 to 1000000000, got '-1'\n"},
      {"?offset=18446744073709551616",
       "offset: expected a whole number from 0 to 1000000000, got '18446744073709551616'\n"},
      {"?offset=", "offset: expected a whole number from 0 to 1000000000, got ''\n"},
      {"?limit=100&limit=5", "parameter 'limit' given more than once\n"},
      {"?page=2", "unknown parameter 'page': expected offset or limit\n"},
  };
  for (const std::string path : {"/", "/api/v1/status"}) {
    for (const auto& [query, message] : cases) {
      auto response = client.Get(path + query);
      ASSERT_TRUE(response) << path << query;
      EXPECT_EQ(response->status, 400) << path << query;
      EXPECT_EQ(response->body, message) << path << query;
      EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; charset=utf-8");
    }
  }
  EXPECT_EQ(source.calls(), 0);
}

TEST(StatusServer, AddedRoutesAreServedBesideItsOwnWithItsHeaders) {
  FailingSource source;
  const SystemClock clock;
  StatusServer server(ServerOptions{"127.0.0.1:0", false}, source, clock, [](http::Routes& routes) {
    routes.get("/api/v1/silences/{id}", [](const http::Request& request) {
      return http::Response::text(200, "silence " + request.path_params.at("id") + "\n");
    });
  });
  httplib::Client client("127.0.0.1", server.port());
  auto added = client.Get("/api/v1/silences/42");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200);
  EXPECT_EQ(added->body, "silence 42\n");
  EXPECT_NE(added->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto missing = client.Get("/api/v1/silences");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("not found: try /"), std::string::npos);
}

TEST(StatusServer, ANonLoopbackAddressIsRefusedWithoutAllowRemote) {
  FailingSource source;
  const SystemClock clock;
  for (const char* address : {"0.0.0.0:0", ":0", "[::]:0", "10.1.2.3:8080"}) {
    try {
      StatusServer server(ServerOptions{address, false}, source, clock);
      ADD_FAILURE() << address << " was accepted";
    } catch (const ListenError& error) {
      EXPECT_NE(std::string(error.what()).find("--allow-remote"), std::string::npos)
          << error.what();
    }
  }
  EXPECT_THROW(StatusServer(ServerOptions{"nonsense", false}, source, clock), ListenError);
  StatusServer v6(ServerOptions{"[::1]:0", false}, source, clock);
  EXPECT_EQ(v6.url(), "http://[::1]:" + std::to_string(v6.port()));
}

}  // namespace
}  // namespace hc::serve

namespace hc::serve {
namespace {

// The overview of 100 sites, each with its 90-day bar (one path per run of days), is under
// 150 KB even uncompressed; to a client that accepts gzip it goes compressed.
TEST(StatusServer, TheOverviewOfAHundredSitesIsUnder150KBOnTheWireWithGzip) {
  ListSource source(100);
  const SystemClock clock;
  StatusServer server(ServerOptions{"127.0.0.1:0", false}, source, clock);
  httplib::Client client("127.0.0.1", server.port());
  client.set_decompress(false);
  auto plain = client.Get("/");
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  auto compressed = client.Get("/", httplib::Headers{{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(compressed);
  ASSERT_EQ(compressed->status, 200);
  EXPECT_EQ(compressed->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(plain->body.size(), 150u * 1024);
  EXPECT_LT(compressed->body.size(), plain->body.size() / 3)
      << plain->body.size() << " bytes plain";
  std::size_t bars = 0;
  for (std::size_t at = plain->body.find(R"(<svg class="bar")"); at != std::string::npos;
       at = plain->body.find(R"(<svg class="bar")", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 100u);  // every site's bar is there
}

}  // namespace
}  // namespace hc::serve
