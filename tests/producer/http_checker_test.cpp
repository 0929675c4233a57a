#include "http_checker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "hc/test/local_http_server.h"
#include "hc/test/test_certificates.h"
#include "regex_matcher.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;

// A URL and how to ask it: what HttpChecker::start takes, in one value a test can change.
struct UrlRequest : CheckRequest {
  std::string url;
};

// Runs one check to completion on `checker`.
CheckResult check(HttpChecker& checker, const UrlRequest& request) {
  std::optional<CheckResult> result;
  checker.start(request.url,
                std::make_shared<const CheckRequest>(static_cast<const CheckRequest&>(request)),
                [&result](CheckResult&& done) { result = std::move(done); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && std::chrono::steady_clock::now() < give_up) checker.run_once(milliseconds(100));
  if (!result) throw std::runtime_error("check did not complete within 30 s");
  return std::move(*result);
}

// Runs one check to completion on a fresh checker.
CheckResult check(const UrlRequest& request) {
  HttpChecker checker;
  return check(checker, request);
}

UrlRequest get(const std::string& url) {
  UrlRequest request;
  request.url = url;
  request.timeout = milliseconds(5000);
  request.body_capture_bytes = std::size_t{1} << 20;
  return request;
}

class HttpCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& server = local_.server();
    server.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("<html>hello world</html>", "text/html");
    });
    server.Get("/missing", [](const httplib::Request&, httplib::Response& response) {
      response.status = 404;
      response.set_content("not here", "text/plain");
    });
    server.Get("/broken", [](const httplib::Request&, httplib::Response& response) {
      response.status = 500;
      response.set_content("oops", "text/plain");
    });
    server.Get("/slow", [this](const httplib::Request&, httplib::Response& response) {
      local_.hold(std::chrono::seconds(10));
      response.set_content("late", "text/plain");
    });
    server.Get("/big", [](const httplib::Request&, httplib::Response& response) {
      response.set_content(std::string(std::size_t{200} * 1024, 'x'), "text/plain");
    });
    server.Get(R"(/hop/(\d+))", [](const httplib::Request& request, httplib::Response& response) {
      const int remaining = std::stoi(request.matches[1]);
      if (remaining == 0) {
        response.set_content("landed", "text/plain");
      } else {
        response.set_redirect("/hop/" + std::to_string(remaining - 1));
      }
    });
    auto echo_method = [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.method, "text/plain");
    };
    server.Get("/method", echo_method);
    server.Post("/method", echo_method);
    server.Options("/method", echo_method);
    server.Get("/echo-header", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.get_header_value("X-Probe"), "text/plain");
    });
    // A POST here is redirected (and the redirect asks with GET); a GET is not.
    server.Post("/post-redirects", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/method");
    });
    server.Get("/post-redirects", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("asked with GET", "text/plain");
    });
    server.Get("/echo-auth", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.get_header_value("Authorization"), "text/plain");
    });
    local_.start();
  }

  test::LocalHttpServer local_;
};

TEST_F(HttpCheckerTest, OkResponseIsUpWithStatusAndBody) {
  CheckResult result = check(get(local_.url("/ok")));
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.body, "<html>hello world</html>");
  EXPECT_EQ(result.body_bytes, 24);
  EXPECT_GT(result.response_time_us, 0);
  EXPECT_FALSE(result.cert_expires_at.has_value());
}

TEST_F(HttpCheckerTest, AnErrorStatusIsAResponseNotATransportError) {
  // Whether 404 or 500 is down is the verdict's decision (check_verdict_test).
  CheckResult result = check(get(local_.url("/missing")));
  EXPECT_EQ(result.status_code, 404);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body, "not here");
  result = check(get(local_.url("/broken")));
  EXPECT_EQ(result.status_code, 500);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
}

TEST_F(HttpCheckerTest, SlowResponsePastTimeoutIsTimeout) {
  UrlRequest request = get(local_.url("/slow"));
  request.timeout = milliseconds(300);
  CheckResult result = check(request);
  EXPECT_EQ(result.transport_error, CheckError::kTimeout) << result.error_detail;
  EXPECT_FALSE(result.status_code.has_value());
  // curl's clock for the timeout and for total time differ by a few ms.
  EXPECT_GE(result.response_time_us, 280'000);
  EXPECT_LT(result.response_time_us, 3'000'000);
}

TEST_F(HttpCheckerTest, RefusedConnectionIsConnectError) {
  // A port that was free a moment ago: bound, then closed, so nothing listens on it.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  close(fd);

  CheckResult result =
      check(get("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/"));
  EXPECT_EQ(result.transport_error, CheckError::kConnect);
  EXPECT_NE(result.error_detail.find("onnect"), std::string::npos) << result.error_detail;
  EXPECT_FALSE(result.status_code.has_value());
  EXPECT_FALSE(result.timings.connect_us.has_value());
}

// True if the only network interface is loopback: no lookup can leave the machine.
bool only_loopback() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return false;
  bool only_lo = true;
  for (ifaddrs* item = list; item != nullptr; item = item->ifa_next) {
    if (std::strcmp(item->ifa_name, "lo") != 0) only_lo = false;
  }
  freeifaddrs(list);
  return only_lo;
}

TEST(HttpChecker, UnresolvableHostIsDnsError) {
  // The lookup must not reach the machine's resolver: the check runs in a child process
  // inside a fresh network namespace (loopback only), which reports back through a pipe.
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::string report;
    if (unshare(CLONE_NEWNET) != 0) {
      report = std::string("skip\nunshare(CLONE_NEWNET): ") + std::strerror(errno);
    } else if (!only_loopback()) {
      report = "skip\nnew namespace is not loopback-only";
    } else {
      CheckResult result = check(get("http://hc-test-unresolvable.invalid/"));
      report = std::string(result.transport_error ? to_string(*result.transport_error) : "up") +
               "\n" + result.error_detail;
    }
    (void)!write(pipe_fds[1], report.data(), report.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string report;
  char buffer[512];
  pollfd readable{pipe_fds[0], POLLIN, 0};
  while (poll(&readable, 1, 30'000) > 0) {
    ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
    if (got <= 0) break;
    report.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_fds[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);

  const std::string kind = report.substr(0, report.find('\n'));
  const std::string detail = report.substr(report.find('\n') + 1);
  if (kind == "skip") GTEST_SKIP() << "needs a network namespace (root): " << detail;
  EXPECT_EQ(kind, "dns") << detail;
  EXPECT_NE(detail.find("resolve"), std::string::npos) << detail;
}

TEST_F(HttpCheckerTest, RegexMatchAndNoMatch) {
  CheckResult result = check(get(local_.url("/ok")));
  EXPECT_TRUE(RegexMatcher("hello\\s+w.rld").search(result.body));
  EXPECT_FALSE(RegexMatcher("goodbye").search(result.body));
  EXPECT_THROW(RegexMatcher("(unclosed"), std::invalid_argument);
}

TEST_F(HttpCheckerTest, ABodyLongerThanTheCaptureIsReadToItsEndAndFlaggedTruncated) {
  UrlRequest request = get(local_.url("/big"));
  request.body_capture_bytes = std::size_t{64} * 1024;
  CheckResult result = check(request);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.body, std::string(std::size_t{64} * 1024, 'x'));
  EXPECT_EQ(result.body_bytes, 200 * 1024);
  EXPECT_TRUE(result.body_truncated);

  request.body_capture_bytes = std::size_t{256} * 1024;
  result = check(request);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body.size(), 200u * 1024);
  EXPECT_EQ(result.body_bytes, 200 * 1024);
  EXPECT_FALSE(result.body_truncated);
}

TEST_F(HttpCheckerTest, WithoutCaptureTheBodyIsCountedNotKept) {
  UrlRequest request = get(local_.url("/big"));
  request.body_capture_bytes = 0;
  CheckResult result = check(request);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(result.body_bytes, 200 * 1024);
  EXPECT_FALSE(result.body_truncated);
}

TEST_F(HttpCheckerTest, HeadersAreCapturedOnlyWhenAskedAndOnlyOfTheFinalResponse) {
  UrlRequest request = get(local_.url("/hop/1"));
  request.follow_redirects = true;
  EXPECT_TRUE(check(request).headers.empty());

  request.capture_headers = true;
  CheckResult result = check(request);
  ASSERT_EQ(result.status_code, 200);
  auto has = [&result](const std::string& name, const std::string& value) {
    return std::any_of(result.headers.begin(), result.headers.end(), [&](const auto& header) {
      return header.first == name && header.second == value;
    });
  };
  EXPECT_TRUE(has("Content-Type", "text/plain")) << result.headers.size();
  EXPECT_FALSE(std::any_of(result.headers.begin(), result.headers.end(), [](const auto& header) {
    return header.first == "Location";
  })) << "the redirect's own headers were kept";
}

TEST_F(HttpCheckerTest, RedirectsAreFollowedUpToTheLimit) {
  UrlRequest request = get(local_.url("/hop/3"));
  request.follow_redirects = true;
  request.max_redirects = 3;
  CheckResult result = check(request);
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.body, "landed");

  request.url = local_.url("/hop/4");
  result = check(request);
  EXPECT_EQ(result.transport_error, CheckError::kHttp);
  EXPECT_NE(result.error_detail.find("edirect"), std::string::npos) << result.error_detail;
}

TEST_F(HttpCheckerTest, RedirectIsNotFollowedUnlessAsked) {
  CheckResult result = check(get(local_.url("/hop/1")));
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.status_code, 302);
}

TEST_F(HttpCheckerTest, ConfiguredHeadersAreSent) {
  UrlRequest request = get(local_.url("/echo-header"));
  request.headers = {{"X-Probe", "hc-test"}};
  EXPECT_EQ(check(request).body, "hc-test");
}

TEST_F(HttpCheckerTest, BasicAuthIsSentAndNotCarriedToTheNextCheck) {
  HttpChecker checker;
  UrlRequest request = get(local_.url("/echo-auth"));
  request.basic_auth = BasicAuth{"probe", "p@ss:w/rd%"};
  // base64("probe:p@ss:w/rd%")
  EXPECT_EQ(check(checker, request).body, "Basic cHJvYmU6cEBzczp3L3JkJQ==");
  EXPECT_EQ(check(checker, get(local_.url("/echo-auth"))).body, "");
}

TEST_F(HttpCheckerTest, TimingsAreMonotonic) {
  CheckResult result = check(get(local_.url("/ok")));
  ASSERT_TRUE(result.timings.dns_us && result.timings.connect_us && result.timings.ttfb_us);
  EXPECT_FALSE(result.timings.tls_us.has_value()) << "no TLS on plain http";
  EXPECT_LE(*result.timings.dns_us, *result.timings.connect_us);
  EXPECT_LE(*result.timings.connect_us, *result.timings.ttfb_us);
  EXPECT_LE(*result.timings.ttfb_us, result.response_time_us);
}

TEST_F(HttpCheckerTest, ManyChecksRunConcurrentlyOnOneThread) {
  // 20 slow checks with a 400 ms timeout each finish in about one timeout, not twenty.
  HttpChecker checker;
  int timeouts = 0;
  auto request = std::make_shared<CheckRequest>(get(local_.url("/slow")));
  request->timeout = milliseconds(400);
  for (int i = 0; i < 20; ++i) {
    checker.start(local_.url("/slow"), request, [&timeouts](CheckResult&& result) {
      if (result.transport_error == CheckError::kTimeout) ++timeouts;
    });
  }
  const auto started = std::chrono::steady_clock::now();
  while (checker.in_flight() > 0) checker.run_once(milliseconds(100));
  EXPECT_EQ(timeouts, 20);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(HttpCheckerTest, CancelAllAbandonsChecksWithoutCallingTheirCompletions) {
  HttpChecker checker;
  int completions = 0;
  UrlRequest slow = get(local_.url("/slow"));
  slow.timeout = milliseconds(60000);
  for (int i = 0; i < 3; ++i) {
    checker.start(slow.url, std::make_shared<const CheckRequest>(slow),
                  [&completions](CheckResult&&) { ++completions; });
  }
  checker.run_once(milliseconds(50));
  EXPECT_EQ(checker.cancel_all(), 3u);
  EXPECT_EQ(checker.in_flight(), 0u);
  EXPECT_EQ(checker.run_once(milliseconds(50)), 0u);
  EXPECT_EQ(completions, 0);
  // The handles went back to the pool and work for the next check.
  CheckResult result = check(checker, get(local_.url("/ok")));
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(completions, 0);
}

TEST_F(HttpCheckerTest, ReusedHandleCarriesNoOptionsOverFromThePreviousCheck) {
  // One check at a time on one checker: each check runs on the easy handle of the previous.
  HttpChecker checker;
  auto with_method = [this](const char* method) {
    UrlRequest request = get(local_.url("/method"));
    request.method = method;
    return request;
  };
  CheckResult result = check(checker, with_method("HEAD"));
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(check(checker, with_method("GET")).body, "GET");
  EXPECT_EQ(check(checker, with_method("POST")).body, "POST");
  EXPECT_EQ(check(checker, with_method("OPTIONS")).body, "OPTIONS");
  EXPECT_EQ(check(checker, with_method("GET")).body, "GET");

  UrlRequest probe = get(local_.url("/echo-header"));
  probe.headers = {{"X-Probe", "hc-test"}};
  EXPECT_EQ(check(checker, probe).body, "hc-test");
  EXPECT_EQ(check(checker, get(local_.url("/echo-header"))).body, "");

  UrlRequest redirected = get(local_.url("/hop/1"));
  redirected.follow_redirects = true;
  EXPECT_EQ(check(checker, redirected).status_code, 200);
  EXPECT_EQ(check(checker, get(local_.url("/hop/1"))).status_code, 302);

  UrlRequest capped = get(local_.url("/big"));
  capped.body_capture_bytes = 1024;
  capped.capture_headers = true;
  result = check(checker, capped);
  EXPECT_TRUE(result.body_truncated);
  EXPECT_FALSE(result.headers.empty());
  result = check(checker, get(local_.url("/big")));
  EXPECT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body.size(), 200u * 1024);
  EXPECT_FALSE(result.body_truncated);
  EXPECT_TRUE(result.headers.empty());
}

// A handle keeps a request's options from one check to the next of the same request; a
// redirect's hop changes them, and the next check of that request asks as it says again.
TEST_F(HttpCheckerTest, TheSameRequestAfterARedirectAsksItsFirstHopAsBefore) {
  HttpChecker checker;  // one check at a time: each runs on the previous check's handle
  UrlRequest post = get(local_.url("/post-redirects"));
  post.method = "POST";
  post.follow_redirects = true;
  post.headers = {{"X-Probe", "hc-test"}};
  const auto request = std::make_shared<const CheckRequest>(static_cast<const CheckRequest&>(post));
  for (int round = 0; round < 3; ++round) {
    std::optional<CheckResult> result;
    checker.start(post.url, request, [&result](CheckResult&& done) { result = std::move(done); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!result && std::chrono::steady_clock::now() < give_up) {
      checker.run_once(milliseconds(100));
    }
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status_code, 200) << "round " << round;
    EXPECT_EQ(result->body, "GET") << "round " << round << ": the first hop must POST";
  }
  std::optional<CheckResult> header;
  UrlRequest probe = get(local_.url("/echo-header"));
  probe.headers = {{"X-Probe", "hc-test"}};
  const auto probe_request =
      std::make_shared<const CheckRequest>(static_cast<const CheckRequest&>(probe));
  for (int round = 0; round < 2; ++round) {
    header.reset();
    checker.start(probe.url, probe_request,
                  [&header](CheckResult&& done) { header = std::move(done); });
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!header && std::chrono::steady_clock::now() < give_up) {
      checker.run_once(milliseconds(100));
    }
    ASSERT_TRUE(header);
    EXPECT_EQ(header->body, "hc-test") << "round " << round;
  }
}

// Sites with equal settings share one request (site_plan.h): each check asks its own URL.
TEST_F(HttpCheckerTest, ChecksSharingOneRequestEachAskTheirOwnUrl) {
  HttpChecker checker;
  const auto request = std::make_shared<const CheckRequest>(get(local_.url("/ok")));
  std::optional<CheckResult> ok;
  std::optional<CheckResult> missing;
  checker.start(local_.url("/ok"), request, [&ok](CheckResult&& done) { ok = std::move(done); });
  checker.start(local_.url("/missing"), request,
                [&missing](CheckResult&& done) { missing = std::move(done); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((!ok || !missing) && std::chrono::steady_clock::now() < give_up) {
    checker.run_once(milliseconds(100));
  }
  ASSERT_TRUE(ok && missing);
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(ok->body, "<html>hello world</html>");
  EXPECT_EQ(missing->status_code, 404);
  EXPECT_EQ(missing->body, "not here");
}

TEST_F(HttpCheckerTest, HandlesAreReusedAcrossRoundsOfConcurrentChecks) {
  // Rounds of concurrent checks on one checker: the later rounds run on the handles of
  // the first, and every check completes once. (Five at once: cpp-httplib listens with a
  // backlog of 5; a larger burst of connects overflows it and stalls some of them for
  // seconds, whatever the client.)
  constexpr int kAtOnce = 5;
  constexpr int kRounds = 4;
  HttpChecker checker;
  auto request = std::make_shared<const CheckRequest>(get(local_.url("/ok")));
  int up = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kAtOnce; ++i) {
      checker.start(local_.url("/ok"), request, [&up](CheckResult&& result) {
        if (!result.transport_error && result.body == "<html>hello world</html>") ++up;
      });
    }
    EXPECT_EQ(checker.in_flight(), static_cast<std::size_t>(kAtOnce));
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (checker.in_flight() > 0 && std::chrono::steady_clock::now() < give_up) {
      checker.run_once(milliseconds(100));
    }
  }
  EXPECT_EQ(up, kAtOnce * kRounds);
}

// The pool of idle handles keeps what the checks since the previous release needed at once:
// after a burst of five, a period of one check at a time frees four.
TEST_F(HttpCheckerTest, ReleaseIdleFreesTheHandlesBeyondTheMostInFlightSinceTheLastRelease) {
  HttpChecker checker;
  auto request = std::make_shared<const CheckRequest>(get(local_.url("/ok")));
  int up = 0;
  auto run_checks = [&](int at_once) {
    for (int i = 0; i < at_once; ++i) {
      checker.start(local_.url("/ok"), request,
                    [&up](CheckResult&& result) { up += result.transport_error ? 0 : 1; });
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (checker.in_flight() > 0 && std::chrono::steady_clock::now() < give_up) {
      checker.run_once(milliseconds(100));
    }
  };
  run_checks(5);  // a burst
  EXPECT_EQ(checker.handles(), 5u);
  EXPECT_EQ(checker.release_idle(), 0u) << "the period of the burst needed all five";
  EXPECT_EQ(checker.handles(), 5u);
  run_checks(1);
  run_checks(1);
  EXPECT_EQ(checker.release_idle(), 4u) << "this period needed one";
  EXPECT_EQ(checker.handles(), 1u);
  EXPECT_EQ(checker.release_idle(), 1u) << "a period without checks needed none";
  EXPECT_EQ(checker.handles(), 0u);
  run_checks(2);  // the pool grows again as needed
  EXPECT_EQ(checker.handles(), 2u);
  EXPECT_EQ(up, 9);
}

TEST(HttpChecker, WakeupFromAnotherThreadEndsAWait) {
  HttpChecker checker;
  const auto started = std::chrono::steady_clock::now();
  // Before or during run_once(): either way the wait ends.
  std::thread waker([&checker] { checker.wakeup(); });
  EXPECT_EQ(checker.run_once(std::chrono::seconds(60)), 0u);
  waker.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

// A site checked over https never follows a redirect down to plain http (where its headers and
// credentials would travel in the clear); an http site may be redirected up to https.
TEST(HttpChecker, HttpsNeverFollowsARedirectToPlainHttp) {
  test::TempDir dir;
  const auto [cert, key] = test::make_self_signed(dir.path(), {"server", {}, true, 30});
  // The redirect targets are known once both servers listen; set before any request.
  std::string down_to;
  std::string up_to;
  test::LocalHttpServer plain;
  std::atomic<int> plain_hits{0};
  plain.server().Get("/landing",
                     [&plain_hits](const httplib::Request&, httplib::Response& response) {
                       ++plain_hits;
                       response.set_content("plain", "text/plain");
                     });
  plain.server().Get("/up", [&up_to](const httplib::Request&, httplib::Response& response) {
    response.set_redirect(up_to);
  });
  test::LocalHttpServer secure(cert, key);
  secure.server().Get("/down", [&down_to](const httplib::Request&, httplib::Response& response) {
    response.set_redirect(down_to);
  });
  secure.server().Get("/landing", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("secure", "text/plain");
  });
  plain.start();
  secure.start();
  down_to = plain.url("/landing");
  up_to = secure.url("/landing");

  UrlRequest down = get(secure.url("/down"));
  down.tls.ca_file = cert;
  down.follow_redirects = true;
  CheckResult refused = check(down);
  EXPECT_EQ(refused.transport_error, CheckError::kHttp) << refused.error_detail;
  EXPECT_EQ(plain_hits.load(), 0);

  UrlRequest up = get(plain.url("/up"));
  up.tls.ca_file = cert;
  up.follow_redirects = true;
  CheckResult upgraded = check(up);
  EXPECT_FALSE(upgraded.transport_error.has_value()) << upgraded.error_detail;
  EXPECT_EQ(upgraded.body, "secure");
}

// What a landing page received: the secrets a redirect may carry.
struct ReceivedSecrets {
  std::mutex mutex;
  std::string api_key;        // X-Api-Key
  std::string authorization;  // Authorization
  int requests = 0;
};

void record_secrets(test::LocalHttpServer& server, ReceivedSecrets& received) {
  server.server().Get("/landing",
                      [&received](const httplib::Request& request, httplib::Response& response) {
                        std::lock_guard lock(received.mutex);
                        received.api_key = request.get_header_value("X-Api-Key");
                        received.authorization = request.get_header_value("Authorization");
                        ++received.requests;
                        response.set_content("landed", "text/plain");
                      });
}

// Custom headers and basic auth are the site's: a redirect to another origin (scheme, host
// and port; here the same 127.0.0.1 on another port) does not carry them, a redirect within
// the site's origin does.
TEST(HttpChecker, CustomHeadersAndBasicAuthAreNotSentToAnotherOriginOnARedirect) {
  test::LocalHttpServer site;
  test::LocalHttpServer other;
  ReceivedSecrets at_site;
  ReceivedSecrets at_other;
  std::string other_landing;  // known once `other` listens; set before any request
  site.server().Get("/away",
                    [&other_landing](const httplib::Request&, httplib::Response& response) {
                      response.set_redirect(other_landing);
                    });
  site.server().Get("/here", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/landing");
  });
  record_secrets(site, at_site);
  record_secrets(other, at_other);
  site.start();
  other.start();
  other_landing = other.url("/landing");

  UrlRequest request = get(site.url("/away"));
  request.follow_redirects = true;
  request.headers = {{"X-Api-Key", "s3cret-key"}};
  request.basic_auth = BasicAuth{"probe", "pw"};
  HttpChecker checker;
  CheckResult result = check(checker, request);
  ASSERT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.status_code, 200);
  EXPECT_EQ(result.body, "landed");
  {
    std::lock_guard lock(at_other.mutex);
    EXPECT_EQ(at_other.requests, 1);
    EXPECT_EQ(at_other.api_key, "") << "the custom header followed the redirect to another port";
    EXPECT_EQ(at_other.authorization, "") << "basic auth followed the redirect to another port";
  }

  request.url = site.url("/here");
  result = check(checker, request);
  ASSERT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body, "landed");
  std::lock_guard lock(at_site.mutex);
  EXPECT_EQ(at_site.requests, 1);
  EXPECT_EQ(at_site.api_key, "s3cret-key");
  EXPECT_EQ(at_site.authorization, "Basic cHJvYmU6cHc=");  // base64("probe:pw")
}

TEST(HttpChecker, HttpsReportsCertificateExpiryAndHandshakeTime) {
  test::TempDir dir;
  const auto [cert, key] = test::make_self_signed(dir.path(), {"server", {}, true, 30});
  test::LocalHttpServer local(cert, key);
  local.server().Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("secure", "text/plain");
  });
  local.start();

  UrlRequest request = get(local.url("/"));
  request.tls.ca_file = cert;
  HttpChecker checker;
  CheckResult result = check(checker, request);
  ASSERT_FALSE(result.transport_error.has_value()) << result.error_detail;
  EXPECT_EQ(result.body, "secure");
  ASSERT_TRUE(result.timings.tls_us && result.timings.connect_us && result.timings.ttfb_us);
  EXPECT_LE(*result.timings.connect_us, *result.timings.tls_us);
  EXPECT_LE(*result.timings.tls_us, *result.timings.ttfb_us);
  ASSERT_TRUE(result.cert_expires_at.has_value());
  const auto expected_expiry = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
  EXPECT_LT(std::chrono::abs(*result.cert_expires_at - expected_expiry), std::chrono::hours(1));

  // The same server without trusting its self-signed certificate: a TLS failure, also on
  // the easy handle that trusted it for the previous check.
  result = check(checker, get(local.url("/")));
  EXPECT_EQ(result.transport_error, CheckError::kTls) << result.error_detail;
  EXPECT_NE(result.error_detail.find("certificate"), std::string::npos) << result.error_detail;
  EXPECT_FALSE(result.status_code.has_value());
}

// curl names the proxy in some errors ("Unsupported proxy scheme for '...'"); the message is
// published and logged, so the proxy's password must not be in it.
TEST(HttpChecker, AProxysPasswordNeverReachesTheErrorDetail) {
  UrlRequest request;
  request.url = "http://127.0.0.1:9/";
  request.timeout = std::chrono::milliseconds(2000);
  request.proxy = "gopher://checker:pr0xy-s3cret@127.0.0.1:9";
  const CheckResult result = check(request);
  ASSERT_TRUE(result.transport_error);
  EXPECT_EQ(result.error_detail.find("pr0xy-s3cret"), std::string::npos) << result.error_detail;
  EXPECT_NE(result.error_detail.find("gopher://***@127.0.0.1:9"), std::string::npos)
      << result.error_detail;
}

}  // namespace
}  // namespace hc::producer
