// http::Server over loopback: routes, and what a slow or hostile client gets (limits,
// deadline, connection bound, busy workers), with raw sockets where a well-behaved client
// library would not send what is tested.
#include "hc/common/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "gzip.h"
#include "hc/test/log_capture.h"

namespace hc::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// --- pure parts ---

TEST(HttpRoutes, MatchesSegmentsCapturesAndMethods) {
  Routes routes;
  routes.get("/", [](const Request&) { return Response::text(200, "root\n"); });
  routes.get("/api/v1/silences/{id}", [](const Request&) { return Response{}; });
  routes.add("DELETE", "/api/v1/silences/{id}", [](const Request&) { return Response{}; });
  routes.get("/api/v1/sites/{url...}/history", [](const Request&) { return Response{}; });

  auto root = routes.find("GET", "/");
  ASSERT_NE(root.route, nullptr);
  EXPECT_EQ(routes.find("HEAD", "/").route, root.route);

  auto silence = routes.find("DELETE", "/api/v1/silences/a%2Fb");
  ASSERT_NE(silence.route, nullptr);
  EXPECT_EQ(silence.route->method, "DELETE");
  EXPECT_EQ(silence.params.at("id"), "a%2Fb");
  EXPECT_EQ(routes.find("GET", "/api/v1/silences/").route, nullptr);
  EXPECT_EQ(routes.find("GET", "/api/v1/silences/a/b").route, nullptr);

  auto history = routes.find("GET", "/api/v1/sites/https:/a.example/x/history");
  ASSERT_NE(history.route, nullptr);
  EXPECT_EQ(history.params.at("url"), "https:/a.example/x");
  EXPECT_EQ(routes.find("GET", "/api/v1/sites/history").route, nullptr);

  auto wrong_method = routes.find("POST", "/api/v1/silences/7");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_EQ(wrong_method.allow, "GET, HEAD, DELETE");
  auto nowhere = routes.find("GET", "/nothing");
  EXPECT_EQ(nowhere.route, nullptr);
  EXPECT_EQ(nowhere.allow, "");
}

TEST(HttpMessage, QueryAndPercentDecoding) {
  const QueryParams query = parse_query("a=1&b=x+y&c&a=%2B5&bad=%zz&&");
  EXPECT_EQ(query.count("a"), 2u);
  EXPECT_EQ(query.find("b")->second, "x y");
  EXPECT_EQ(query.find("c")->second, "");
  EXPECT_EQ(query.find("bad")->second, "%zz");
  EXPECT_EQ(std::next(query.find("a"))->second, "+5");
  EXPECT_EQ(percent_decode("https%3A%2F%2Fa%2F+b"), "https://a/+b");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
}

TEST(HttpGzip, AcceptEncodingWeights) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip(""));
}

// --- over loopback ---

// A blocking loopback connection that gives up reading after 20 s.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // False once the server has closed (or reset) the connection.
  bool send_text(const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Everything until the server closes (or 20 s pass).
  std::string read_all() {
    std::string answer;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = recv(fd_, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, n);
    return answer;
  }
  // What arrives until `end` has (or the server closes).
  std::string read_until(std::string_view end) {
    std::string answer;
    char buffer[4096];
    ssize_t n = 0;
    while (answer.find(end) == std::string::npos && (n = recv(fd_, buffer, sizeof buffer, 0)) > 0) {
      answer.append(buffer, n);
    }
    return answer;
  }
  std::string status_line() {
    const std::string answer = read_all();
    return answer.substr(0, answer.find("\r\n"));
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

HostPort any_loopback_port() { return HostPort{"127.0.0.1", 0}; }

TEST(HttpServer, ServesRoutesWithTheirStatusHeadersAndBodies) {
  Routes routes;
  routes.get("/", [](const Request& request) {
    Response response = Response::text(200, "q=" + request.query.find("q")->second + "\n");
    response.headers.emplace_back("X-Seen-Target", request.target);
    return response;
  });
  routes.get("/big", [](const Request&) { return Response::text(200, std::string(5000, 'z')); });
  routes.get("/sites/{url...}/history", [](const Request& request) {
    return Response::text(200, request.path_params.at("url"));
  });
  routes.add(
      "POST", "/echo", [](const Request& request) { return Response::text(200, request.body); },
      RouteOptions{.max_body_bytes = 100});
  routes.get("/throws", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  routes.set_not_found(
      [](const Request& request) { return Response::text(404, "no " + request.path + " here\n"); });
  ServerOptions options;
  options.common_headers = {{"X-Content-Type-Options", "nosniff"}};
  Server server(any_loopback_port(), std::move(routes), options);
  httplib::Client client("127.0.0.1", server.port());

  // Raw: a client library may re-encode the target.
  RawClient raw(server.port());
  raw.send_text("GET /?q=a+b%21 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string root = raw.read_all();
  EXPECT_EQ(root.substr(0, root.find("\r\n")), "HTTP/1.1 200 OK");
  EXPECT_NE(root.find("\r\n\r\nq=a b!\n"), std::string::npos) << root;
  EXPECT_NE(root.find("X-Seen-Target: /?q=a+b%21\r\n"), std::string::npos) << root;
  EXPECT_NE(root.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(root.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);

  auto head = client.Head("/?q=x");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());

  auto history = client.Get("/sites/https%3A%2F%2Fa%2F/history");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->body, "https%3A%2F%2Fa%2F");

  auto echo = client.Post("/echo", "hello", "text/plain");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->body, "hello");
  auto too_big = client.Post("/echo", std::string(101, 'x'), "text/plain");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);

  auto wrong_method = client.Delete("/echo");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  EXPECT_EQ(wrong_method->get_header_value("X-Content-Type-Options"), "nosniff");

  auto missing = client.Get("/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "no /missing here\n");
  auto thrown = client.Get("/throws");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  EXPECT_EQ(thrown->body.find("boom"), std::string::npos);

  RawClient gzip_client(server.port());
  ASSERT_TRUE(gzip_client.send_text(
      "GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"));
  const std::string answer = gzip_client.read_all();
  const auto body_at = answer.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos) << answer;
  EXPECT_NE(answer.find("Content-Encoding: gzip"), std::string::npos) << answer;
  EXPECT_LT(answer.size() - body_at, 1000u);
  EXPECT_EQ(gunzip(answer.substr(body_at + 4)), std::string(5000, 'z'));
}

TEST(HttpServer, RefusesOversizedHeadsWhileReadingThem) {
  Routes routes;
  routes.get("/", [](const Request&) { return Response::text(200, "ok\n"); });
  Server server(any_loopback_port(), std::move(routes), ServerOptions{});
  const auto status_of = [&](const std::string& request) {
    RawClient client(server.port());
    client.send_text(request);
    return client.status_line();
  };
  EXPECT_EQ(status_of("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"),
            "HTTP/1.1 414 URI Too Long");
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(status_of(many + "\r\n"), "HTTP/1.1 431 Request Header Fields Too Large");
  // Just over 16 KiB of header values: counted after parsing.
  EXPECT_EQ(
      status_of("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16400, 'v') + "\r\n\r\n"),
      "HTTP/1.1 431 Request Header Fields Too Large");
  // 8 MiB of header without an end: refused once the connection's buffer is full, never
  // read whole (the client's send fails or the answer comes first).
  {
    RawClient flood(server.port());
    flood.send_text("GET / HTTP/1.1\r\nHost: x\r\nX-Flood: ");
    flood.send_text(std::string(std::size_t{8} << 20, 'f'));
    EXPECT_EQ(flood.status_line(), "HTTP/1.1 431 Request Header Fields Too Large");
  }
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                      std::string(5000, 'b')),
            "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), "HTTP/1.1 200 OK");
}

TEST(HttpServer, ClosesARequestThatOutlastsItsDeadlineHoweverSteadilyItSends) {
  Routes routes;
  routes.get("/", [](const Request&) { return Response::text(200, "ok\n"); });
  ServerOptions options;
  options.limits.request_deadline = milliseconds(1000);
  Server server(any_loopback_port(), std::move(routes), options);

  RawClient slow(server.port());
  ASSERT_TRUE(slow.send_text("GET / HTTP/1.1\r\nHost: x\r\n"));
  const auto started = steady_clock::now();
  bool still_open = true;
  for (int i = 0; i < 100 && still_open; ++i) {  // one header line every 100 ms, for 10 s
    std::this_thread::sleep_for(milliseconds(100));
    still_open = slow.send_text("X-Drip-" + std::to_string(i) + ": 1\r\n");
    // Meanwhile others are served.
    if (i == 5) {
      RawClient other(server.port());
      other.send_text("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      EXPECT_EQ(other.status_line(), "HTTP/1.1 200 OK");
    }
  }
  EXPECT_FALSE(still_open) << "a dripping request was never closed";
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(slow.read_all(), "") << "closed without an answer";
}

TEST(HttpServer, RefusesConnectionsBeyondTheLimitAtOnce) {
  Routes routes;
  routes.get("/", [](const Request&) { return Response::text(200, "ok\n"); });
  ServerOptions options;
  options.limits.max_connections = 3;
  Server server(any_loopback_port(), std::move(routes), options);

  // Three connections served once and kept alive.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port()));
    ASSERT_TRUE(idle.back()->send_text("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_NE(idle.back()->read_until("ok\n").find("200 OK"), std::string::npos);
  }
  RawClient excess(server.port());
  excess.send_text("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(excess.read_all(), "") << "the fourth connection was served";

  idle.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {  // the close is seen shortly
    RawClient next(server.port());
    next.send_text("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    served = next.status_line() == "HTTP/1.1 200 OK";
    if (!served) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(served);
}

// Handlers that wait until released.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void wait_for_waiting(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return waiting_ >= count; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

TEST(HttpServer, ImmediateRoutesAnswerWhileEveryWorkerIsBusyAndTheExcessIs503) {
  Gate gate;
  Routes routes;
  routes.get("/slow", [&](const Request&) {
    gate.wait();
    return Response::text(200, "slow\n");
  });
  routes.get(
      "/healthz", [](const Request&) { return Response::text(200, "ok\n"); },
      RouteOptions{.immediate = true});
  ServerOptions options;
  options.limits.worker_threads = 1;
  options.limits.max_queued = 1;
  auto server = std::make_unique<Server>(any_loopback_port(), std::move(routes), options);
  const int port = server->port();
  const auto get = [port](const std::string& path) {
    RawClient client(port);
    client.send_text("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return client.status_line();
  };

  auto running = std::async(std::launch::async, [&] { return get("/slow"); });
  gate.wait_for_waiting(1);
  // The worker is taken; of two more, one waits in the queue and the other is refused at once.
  auto first = std::async(std::launch::async, [&] { return get("/slow"); });
  auto second = std::async(std::launch::async, [&] { return get("/slow"); });
  auto* refused = &first;
  auto* waiting = &second;
  while (true) {
    if (first.wait_for(milliseconds(10)) == std::future_status::ready) break;
    if (second.wait_for(milliseconds(10)) == std::future_status::ready) {
      std::swap(refused, waiting);
      break;
    }
  }
  EXPECT_EQ(refused->get(), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(get("/healthz"), "HTTP/1.1 200 OK");
  gate.open();
  EXPECT_EQ(running.get(), "HTTP/1.1 200 OK");
  EXPECT_EQ(waiting->get(), "HTTP/1.1 200 OK");
}

TEST(HttpServer, StopsWithRequestsQueuedAndRunning) {
  Gate gate;
  Routes routes;
  routes.get("/slow", [&](const Request&) {
    gate.wait();
    return Response::text(200, "slow\n");
  });
  ServerOptions options;
  options.limits.worker_threads = 1;
  auto server = std::make_unique<Server>(any_loopback_port(), std::move(routes), options);
  const int port = server->port();
  std::vector<std::future<std::string>> clients;
  clients.reserve(3);
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::async(std::launch::async, [port] {
      RawClient client(port);
      client.send_text("GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      return client.read_all();
    }));
  }
  gate.wait_for_waiting(1);
  std::this_thread::sleep_for(milliseconds(200));  // let the other two reach the queue
  auto stopped = std::async(std::launch::async, [&] { server.reset(); });
  std::this_thread::sleep_for(milliseconds(100));
  gate.open();
  stopped.get();
  for (auto& client : clients) client.get();  // each got an answer or a close, none hung
}

// A request path may carry what a log must not (a site URL with its token in a percent-encoded
// capture, a mistyped path): the server logs the matched route's pattern, never the path sent.
TEST(HttpServer, LogsTheRoutePatternNeverThePathSent) {
  Routes routes;
  routes.get("/sites/{url...}/history", [](const Request&) { return Response::text(200, "h\n"); });
  routes.get("/boom/{id}", [](const Request&) -> Response { throw std::runtime_error("failed"); });
  ServerOptions options;
  options.log_name = "test-http";
  test::LogCapture capture;
  {
    Server server(any_loopback_port(), std::move(routes), options);
    httplib::Client client("127.0.0.1", server.port());
    ASSERT_TRUE(client.Get("/sites/https%3A%2F%2Fa%2F%3Ftoken%3Ds3cret1/history?x=s3cret2"));
    ASSERT_TRUE(client.Get("/boom/s3cret3"));
    ASSERT_TRUE(client.Get("/nothing/here/s3cret4"));
  }
  const std::string log = capture.text();
  EXPECT_NE(log.find("test-http: GET /sites/{url...}/history -> 200"), std::string::npos) << log;
  EXPECT_NE(log.find("test-http: GET /boom/{id}: failed; answered 500"), std::string::npos) << log;
  EXPECT_NE(log.find("test-http: GET (no route) -> 404"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
}

TEST(HttpServer, RefusesAnAddressInUse) {
  Routes routes;
  Server first(any_loopback_port(), routes, ServerOptions{});
  EXPECT_THROW(Server(HostPort{"127.0.0.1", first.port()}, routes, ServerOptions{}), ListenError);
  EXPECT_THROW(Server(HostPort{"not an address", 0}, routes, ServerOptions{}), ListenError);
}

}  // namespace
}  // namespace hc::http
