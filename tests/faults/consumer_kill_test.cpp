// hc --consumer SIGKILLed 20 times at random points of a large stream: every restart resumes
// from the committed offsets and the upsert makes replays harmless, so the table ends with
// exactly one row per message.
#include <cstdlib>
#include <random>

#include "fault_fixture.h"

namespace hc::faults {
namespace {

constexpr int kKills = 20;
constexpr int kSites = 1000;

// 1,000,000 (the figure) unless HC_FAULT_KILL_MESSAGES says otherwise.
long stream_size() {
  const char* text = std::getenv("HC_FAULT_KILL_MESSAGES");
  return text != nullptr && *text != '\0' ? std::stol(text) : 1'000'000;
}

TEST(ConsumerKilled, TwentySigkillsAtRandomPointsOfALargeStreamLoseAndDuplicateNothing) {
  const long messages = stream_size();
  // 8,000 messages per partition (~1 MB, lz4-compressed): well under the dev broker's ~5 MB.
  const int partitions = static_cast<int>(std::max(8L, messages / 8'000));
  test::TempDir dir;
  test::DevBroker broker({{"checks", partitions}, {"checks.dlq", 4}});
  test::TempPostgres postgres;

  // The stream is produced ahead of the consumer in steps, so every kill lands before its
  // end by construction (not by racing the consumer): before the wait for a kill point, the
  // topic holds at most that point + 10% of the stream, and never more than 95%.
  StreamProducer producer(broker.bootstrap_servers());
  long produced = 0;
  const auto produce_up_to = [&](long target) {
    if (target <= produced) return;
    producer.send_stream("checks", produced, target - produced, kSites);
    producer.flush(seconds(120));
    produced = target;
  };

  std::random_device entropy;
  const unsigned seed = entropy();
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::mt19937 random(seed);
  // Kill points: row counts spread over the stream, each reached only after the previous
  // restart resumed writing, then a random 0-300 ms so the kill lands anywhere in a batch
  // (polling, writing, committing).
  std::uniform_int_distribution<long> point(messages * 2 / 100, messages * 85 / 100);
  std::vector<long> kill_points(kKills);
  for (long& at : kill_points) at = point(random);
  std::sort(kill_points.begin(), kill_points.end());
  std::uniform_int_distribution<int> delay_ms(0, 300);

  FaultConsumer consumer(dir.path(), "consumer", broker.bootstrap_servers(),
                         {{"checks", postgres.uri(), "healthcheck"}}, {});
  long rows_at_last_kill = 0;
  double longest_resume_s = 0;
  auto restarted = std::chrono::steady_clock::now();
  for (int kill = 0; kill < kKills; ++kill) {
    produce_up_to(std::min(kill_points[kill] + messages / 10, messages * 95 / 100));
    ASSERT_TRUE(test::eventually(
        [&] {
          const long rows = count_rows(postgres);
          return rows > rows_at_last_kill && rows >= kill_points[kill];
        },
        seconds(180)))
        << "kill " << kill << ": rows stuck at " << count_rows(postgres) << "\n"
        << consumer.log_tail();
    if (kill > 0) longest_resume_s = std::max(longest_resume_s, seconds_since(restarted));
    std::this_thread::sleep_for(milliseconds(delay_ms(random)));
    consumer.kill();
    rows_at_last_kill = count_rows(postgres);
    ASSERT_LT(rows_at_last_kill, messages) << "kill " << kill << " came after the stream ended";
    consumer.start();  // same group: resumes from the committed offsets
    restarted = std::chrono::steady_clock::now();
  }
  produce_up_to(messages);
  ASSERT_EQ(partitions_that_lost_messages(broker.bootstrap_servers(), "checks", partitions), "");

  const bool complete =
      test::eventually([&] { return count_rows(postgres) == messages; }, seconds(300));
  const long written = count_rows(postgres);
  // Recovery: the longest time from a restart to the first new row (group join included).
  report_figures({"consumer SIGKILL x20 (" + std::to_string(messages) + " msgs)", longest_resume_s,
                  messages, written, 0, 0});
  ASSERT_TRUE(complete) << written << " of " << messages << "\n" << consumer.log_tail();
  EXPECT_EQ(verify_stream(postgres, messages, kSites), "");
  EXPECT_EQ(consumer.stop(), 0) << consumer.log_tail();
}

}  // namespace
}  // namespace hc::faults
