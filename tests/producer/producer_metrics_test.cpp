// ProducerMetrics' per-site series as Prometheus reads them (the text exposition): checks by
// site and outcome, retries by site, what a reload's forget_sites() drops, and counts from
// several check loops at once. The series of one family may come in any order; the tests
// compare each family's lines, sorted.
#include "producer_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace hc::producer {
namespace {

using std::chrono::microseconds;

std::string exposition(ProducerMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.collectable()->Collect());
}

// The lines of `text` that start with `prefix`, sorted.
std::vector<std::string> lines_of(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

constexpr std::size_t kUp = 0;
constexpr std::size_t kTimeout = outcome_of(CheckError::kTimeout);
constexpr std::size_t kStatus = outcome_of(CheckError::kUnexpectedStatus);

TEST(ProducerMetrics, CountsEachSitesChecksByOutcomeAndItsRetries) {
  ProducerStats stats;
  ProducerMetrics metrics(stats);
  const std::string a = "http://127.0.0.1/a";
  const std::string b = "http://127.0.0.1/b?token=REDACTED";
  for (int i = 0; i < 3; ++i) metrics.record_check(a, kUp, microseconds(1000));
  metrics.record_check(a, kTimeout, microseconds(5000));
  metrics.record_retry(a);
  metrics.record_check(b, kStatus, microseconds(2000));
  metrics.record_check(b, kOutcomeUnhealthy, microseconds(2000));
  metrics.record_retry(b);
  metrics.record_retry(b);
  metrics.record_retry("http://127.0.0.1/c");  // retried, no check completed yet
  const std::string text = exposition(metrics);
  EXPECT_EQ(
      lines_of(text, "hc_checks_total"),
      (std::vector<std::string>{
          R"(hc_checks_total{url="http://127.0.0.1/a",outcome="timeout"} 1)",
          R"(hc_checks_total{url="http://127.0.0.1/a",outcome="up"} 3)",
          R"(hc_checks_total{url="http://127.0.0.1/b?token=REDACTED",outcome="unexpected_status"} 1)",
          R"(hc_checks_total{url="http://127.0.0.1/b?token=REDACTED",outcome="unhealthy"} 1)",
      }))
      << text;
  EXPECT_EQ(lines_of(text, "hc_check_retries_total"),
            (std::vector<std::string>{
                R"(hc_check_retries_total{url="http://127.0.0.1/a"} 1)",
                R"(hc_check_retries_total{url="http://127.0.0.1/b?token=REDACTED"} 2)",
                R"(hc_check_retries_total{url="http://127.0.0.1/c"} 1)",
            }))
      << text;
  // Each family once, checks before retries, with its help and type.
  const std::string checks_head =
      "# HELP hc_checks_total Completed checks by site and outcome (up, error class, or "
      "unhealthy)\n# TYPE hc_checks_total counter\n";
  const std::string retries_head =
      "# HELP hc_check_retries_total Failed attempts tried again within the interval (retries), "
      "by site\n# TYPE hc_check_retries_total counter\n";
  ASSERT_EQ(text.find(checks_head), 0u) << text;
  const std::size_t retries_at = text.find(retries_head);
  ASSERT_NE(retries_at, std::string::npos) << text;
  EXPECT_EQ(lines_of(text.substr(0, retries_at), "hc_checks_total{").size(), 4u);
  EXPECT_EQ(lines_of(text.substr(retries_at), "hc_check_retries_total{").size(), 3u);
  EXPECT_EQ(text.find("# TYPE hc_checks_total", checks_head.size()), std::string::npos);
  EXPECT_EQ(text.find("# TYPE hc_check_retries_total", retries_at + retries_head.size()),
            std::string::npos);
}

// One site's series, byte for byte, as the first lines of the exposition.
TEST(ProducerMetrics, ASitesSeriesReadExactly) {
  ProducerStats stats;
  ProducerMetrics metrics(stats);
  metrics.record_check("http://127.0.0.1:8080/health", kUp, microseconds(1000));
  metrics.record_check("http://127.0.0.1:8080/health", kUp, microseconds(1000));
  metrics.record_retry("http://127.0.0.1:8080/health");
  const std::string text = exposition(metrics);
  EXPECT_EQ(text.substr(0, text.find("# HELP hc_check_duration_seconds")),
            "# HELP hc_checks_total Completed checks by site and outcome (up, error class, or "
            "unhealthy)\n"
            "# TYPE hc_checks_total counter\n"
            "hc_checks_total{url=\"http://127.0.0.1:8080/health\",outcome=\"up\"} 2\n"
            "# HELP hc_check_retries_total Failed attempts tried again within the interval "
            "(retries), by site\n"
            "# TYPE hc_check_retries_total counter\n"
            "hc_check_retries_total{url=\"http://127.0.0.1:8080/health\"} 1\n");
}

TEST(ProducerMetrics, AForgottenSiteLosesItsSeriesAndCountsFromZeroWhenItComesBack) {
  ProducerStats stats;
  ProducerMetrics metrics(stats);
  std::vector<std::string> urls;
  urls.reserve(300);
  for (int i = 0; i < 300; ++i) urls.push_back("http://127.0.0.1/site/" + std::to_string(i));
  for (const std::string& url : urls) {
    metrics.record_check(url, kUp, microseconds(1000));
    metrics.record_check(url, kUp, microseconds(1000));
    metrics.record_retry(url);
  }
  std::vector<std::string> removed;
  for (std::size_t i = 0; i < urls.size(); i += 3) removed.push_back(urls[i]);
  metrics.forget_sites(removed);
  metrics.forget_sites({"http://127.0.0.1/never-counted"});
  metrics.record_check(urls[0], kTimeout, microseconds(1000));  // back after a reload
  const std::string text = exposition(metrics);
  std::vector<std::string> expected_checks;
  std::vector<std::string> expected_retries;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (i % 3 == 0) continue;
    expected_checks.push_back("hc_checks_total{url=\"" + urls[i] + "\",outcome=\"up\"} 2");
    expected_retries.push_back("hc_check_retries_total{url=\"" + urls[i] + "\"} 1");
  }
  expected_checks.push_back("hc_checks_total{url=\"" + urls[0] + "\",outcome=\"timeout\"} 1");
  std::sort(expected_checks.begin(), expected_checks.end());
  std::sort(expected_retries.begin(), expected_retries.end());
  EXPECT_EQ(lines_of(text, "hc_checks_total{"), expected_checks);
  EXPECT_EQ(lines_of(text, "hc_check_retries_total{"), expected_retries);
}

TEST(ProducerMetrics, ChecksCountedFromSeveralLoopsAtOnceAreAllCounted) {
  ProducerStats stats;
  ProducerMetrics metrics(stats);
  constexpr int kLoops = 4;
  constexpr int kSites = 200;
  constexpr int kRounds = 25;
  std::vector<std::thread> loops;
  loops.reserve(kLoops);
  for (int loop = 0; loop < kLoops; ++loop) {
    loops.emplace_back([&metrics, loop] {
      for (int round = 0; round < kRounds; ++round) {
        for (int site = 0; site < kSites; ++site) {
          // Every loop counts every site: the table grows while the others count.
          metrics.record_check("http://127.0.0.1/" + std::to_string(site),
                               loop % 2 == 0 ? kUp : kTimeout, microseconds(1));
        }
      }
    });
  }
  for (std::thread& loop : loops) loop.join();
  const std::string text = exposition(metrics);
  const std::vector<std::string> lines = lines_of(text, "hc_checks_total{");
  ASSERT_EQ(lines.size(), 2u * kSites);
  for (const std::string& line : lines) {
    EXPECT_TRUE(line.ends_with(" " + std::to_string(kRounds * kLoops / 2))) << line;
  }
}

}  // namespace
}  // namespace hc::producer
