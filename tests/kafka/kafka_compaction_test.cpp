// The events topic on a real broker: created compacted by `hc topics create`, compaction
// really keeps only the last state per URL (segments rolled every 100 ms and a cleaner that
// runs on any dirty ratio), and a producer started afterwards restores each site's state from
// what compaction left, so its next events continue from there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consumer_e2e_fixture.h"
#include "hc/common/state_event.h"
#include "hc/test/kafka_cluster.h"
#include "kafka_pipeline.h"

namespace hc::kafka_test {
namespace {

using std::chrono::seconds;

class KafkaCompaction : public test::KafkaTest<KafkaCompaction> {};

WallTime at_second(std::int64_t second) {
  return WallTime(std::chrono::seconds(1'795'000'000 + second));
}

// Events alternating up/down for `url` from unknown, `changes` of them, one second apart;
// the last one goes to `last`.
std::vector<StateEvent> history(const std::string& url, int changes, SiteStatus last) {
  std::vector<StateEvent> events;
  SiteStatus state = SiteStatus::kUnknown;
  std::optional<WallTime> since;
  for (int i = 0; i < changes; ++i) {
    const SiteStatus other = last == SiteStatus::kUp ? SiteStatus::kDown : SiteStatus::kUp;
    const SiteStatus next = (changes - 1 - i) % 2 == 0 ? last : other;
    StateEvent event;
    event.url = url;
    event.from = state;
    event.to = next;
    event.at = at_second(i);
    if (next == SiteStatus::kDown) {
      event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
    }
    event.since = since;
    if (since) {
      event.previous_duration_s =
          std::chrono::duration_cast<std::chrono::seconds>(event.at - *since).count();
    }
    event.producer = "test:1";
    events.push_back(event);
    state = next;
    since = event.at;
  }
  return events;
}

TEST_F(KafkaCompaction, KeepsTheLastStatePerUrlAndARestartedProducerContinuesFromIt) {
  Sites sites;
  test::TempDir dir;
  const std::string topic = "compacted";
  const std::string events_topic = "compacted.events";
  PipelineSpec spec{kafka().client_yaml(),
                    topic,
                    {sites.up(), sites.down()},
                    "postgresql://postgres@127.0.0.1:9/postgres"};
  const auto config = write_pipeline_config(dir.path(), "config", spec);
  const auto created = test::run_command({test::hc_binary().string(), "topics", "create", "-c",
                                          config.string(), "--partitions", "1",
                                          "--replication-factor", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  ASSERT_EQ(describe_topic(kafka().bootstrap(), events_topic).configs.at("cleanup.policy"),
            "compact");
  set_topic_configs(kafka().bootstrap(), events_topic,
                    {{"cleanup.policy", "compact"},
                     {"segment.ms", "100"},
                     {"min.cleanable.dirty.ratio", "0.01"},
                     {"delete.retention.ms", "100"}});

  // 60 changes per site; up() last went down, down() last came up: a restored producer
  // announces down->up and up->down, a producer that restored nothing unknown->...
  std::map<std::string, StateEvent> last;
  e2e::TestProducer producer(kafka().bootstrap());
  for (const auto& [url, final_state] :
       {std::pair{sites.up(), SiteStatus::kDown}, {sites.down(), SiteStatus::kUp}}) {
    for (const StateEvent& event : history(url, 60, final_state)) {
      producer.send_raw(events_topic, url, encode_state_event(event));
      last[url] = event;
    }
  }
  producer.flush();
  ASSERT_EQ(read_to_end(kafka().bootstrap(), events_topic).size(), 120u);

  // Segments roll only when a record arrives after segment.ms, and the cleaner never touches
  // the active segment: a third key keeps appending while we wait for the cleaner.
  const std::string ticker = "http://127.0.0.1:9/ticker";
  int ticks = 0;
  std::map<std::string, long> counts;
  const bool compacted = test::eventually(
      [&] {
        StateEvent tick = history(ticker, 1, SiteStatus::kUp).front();
        producer.send_raw(events_topic, ticker, encode_state_event(tick));
        producer.flush();
        ++ticks;
        counts = count_per_key(read_to_end(kafka().bootstrap(), events_topic));
        return counts[sites.up()] == 1 && counts[sites.down()] == 1;
      },
      seconds(90));
  ASSERT_TRUE(compacted) << "after " << ticks << " ticks: " << testing::PrintToString(counts);
  StateEventDecoder decoder;
  for (const auto& record : read_to_end(kafka().bootstrap(), events_topic)) {
    if (record.key == ticker) continue;
    auto decoded = decoder.decode(record.value);
    ASSERT_TRUE(std::holds_alternative<StateEvent>(decoded)) << record.value;
    EXPECT_EQ(std::get<StateEvent>(decoded), last.at(record.key)) << record.key;
  }

  // A producer now restores from the compacted topic and continues each site's history.
  test::ChildProcess hc = start_hc("--producer", config, "producer");
  std::map<std::string, StateEvent> announced;
  const bool both_announced = test::eventually(
      [&] {
        for (const auto& record : read_to_end(kafka().bootstrap(), events_topic)) {
          auto decoded = decoder.decode(record.value);
          if (!std::holds_alternative<StateEvent>(decoded)) continue;
          const auto& event = std::get<StateEvent>(decoded);
          if (event.producer != "test:1") announced[event.url] = event;
        }
        return announced.size() == 2;
      },
      seconds(60));
  hc.send_signal(SIGTERM);
  EXPECT_EQ(hc.wait_for_exit(seconds(30)), 0);
  ASSERT_TRUE(both_announced) << test::read_file(dir.path() / "producer.log");
  EXPECT_EQ(announced.at(sites.up()).from, SiteStatus::kDown);
  EXPECT_EQ(announced.at(sites.up()).to, SiteStatus::kUp);
  EXPECT_EQ(announced.at(sites.up()).since, last.at(sites.up()).at);
  EXPECT_EQ(announced.at(sites.down()).from, SiteStatus::kUp);
  EXPECT_EQ(announced.at(sites.down()).to, SiteStatus::kDown);
  EXPECT_EQ(announced.at(sites.down()).since, last.at(sites.down()).at);
  EXPECT_THAT(test::read_file(dir.path() / "producer.log"),
              testing::HasSubstr("restored the state of 2 of 2 sites"));
}

}  // namespace
}  // namespace hc::kafka_test
