// restore_states against hc-devbroker: which event of a site wins, what is skipped, and that
// neither a missing topic nor a missing cluster is fatal or unbounded.
#include "state_restore.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/kafka_handles.h"
#include "hc/test/support.h"

namespace hc::producer {
namespace {

using std::chrono::seconds;

const WallTime kT0{seconds(1'795'000'000)};

KafkaSettings dev_kafka(const std::string& bootstrap_servers) {
  KafkaSettings settings;
  settings.bootstrap_servers = {bootstrap_servers};
  return settings;
}

// Puts records on chosen partitions (the restore must not rely on key partitioning alone).
class RecordWriter {
 public:
  explicit RecordWriter(const std::string& bootstrap_servers) {
    KafkaConf conf = make_kafka_conf(dev_kafka(bootstrap_servers), {{"linger.ms", "1"}});
    std::array<char, 512> error{};
    handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error.data(), error.size()));
    if (!handle_) throw std::runtime_error(error.data());
    static_cast<void>(conf.release());  // librdkafka owns it now
  }
  void put(const std::string& topic, int partition, const std::string& key,
           const std::optional<std::string>& value) {
    void* bytes = value ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t size = value ? value->size() : 0;
    const auto error = rd_kafka_producev(
        handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(bytes, size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(error));
  }
  void flush() {
    if (rd_kafka_flush(handle_.get(), 10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("flush timed out");
    }
  }

 private:
  KafkaHandle handle_;
};

std::string event(const std::string& url, SiteStatus from, SiteStatus to, WallTime at) {
  StateEvent e;
  e.url = url;
  e.from = from;
  e.to = to;
  e.at = at;
  if (from != SiteStatus::kUnknown) {
    e.since = at - seconds(10);
    e.previous_duration_s = 10;
  }
  return encode_state_event(e);
}

TEST(StateRestore, KeepsTheLatestEventOfEachOwnedSiteAndSkipsWhatIsNoEvent) {
  test::DevBroker broker({{"events", 2}});
  RecordWriter writer(broker.bootstrap_servers());
  const std::string a = "http://127.0.0.1/a";
  const std::string b = "http://127.0.0.1/b";
  const std::string c = "http://127.0.0.1/c";
  const std::string not_owned = "http://127.0.0.1/other-shard";
  // a: in one partition the later offset wins, even with an earlier `at` (a clock stepped back).
  writer.put("events", 0, a, event(a, SiteStatus::kUnknown, SiteStatus::kUp, kT0 + seconds(50)));
  writer.put("events", 0, a, event(a, SiteStatus::kUp, SiteStatus::kDown, kT0 + seconds(40)));
  // b: on two partitions (the topic was repartitioned): the later `at` wins.
  writer.put("events", 1, b, event(b, SiteStatus::kUp, SiteStatus::kDown, kT0 + seconds(90)));
  writer.put("events", 0, b, event(b, SiteStatus::kDown, SiteStatus::kUp, kT0 + seconds(20)));
  // c: its only valid event, then records that are no event of c: all skipped.
  writer.put("events", 1, c, event(c, SiteStatus::kUnknown, SiteStatus::kDown, kT0));
  writer.put("events", 1, c, std::string("{\"type\":\"state_change\""));  // bad JSON
  writer.put("events", 1, c,
             event(a, SiteStatus::kDown, SiteStatus::kUp, kT0 + seconds(99)));  // key != url
  writer.put("events", 1, c,
             std::string("{\"type\":\"state_change\",\"v\":1,\"url\":\"" + c +
                         "\",\"from\":\"up\",\"to\":\"up\",\"at\":\"2026-01-01T00:00:00Z\"}"));
  // d: a tombstone deletes its state.
  const std::string d = "http://127.0.0.1/d";
  writer.put("events", 0, d, event(d, SiteStatus::kUnknown, SiteStatus::kUp, kT0));
  writer.put("events", 0, d, std::nullopt);
  // Not this producer's site: read, not kept.
  writer.put("events", 0, not_owned, event(not_owned, SiteStatus::kUnknown, SiteStatus::kUp, kT0));
  writer.flush();

  const std::string never_seen = "http://127.0.0.1/never-seen";
  // Given unsorted and with a repeat: the set sorts them and keeps each once.
  const UrlSet owned{d, never_seen, b, a, c, a};
  ASSERT_EQ(owned.size(), 5u);
  const RestoreResult result = restore_states(dev_kafka(broker.bootstrap_servers()),
                                              {"events", "no-such-topic"}, owned, seconds(20));
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.partitions, 2u);
  EXPECT_EQ(result.records, 11u);
  EXPECT_EQ(result.skipped, 3u);
  EXPECT_EQ(result.restored(), 3u);
  ASSERT_EQ(result.latest.size(), owned.size());
  auto latest_of = [&](const std::string& url) { return result.latest.at(*owned.position(url)); };
  EXPECT_EQ(latest_of(a), (RestoredState{SiteStatus::kDown, kT0 + seconds(40)}));
  EXPECT_EQ(latest_of(b), (RestoredState{SiteStatus::kDown, kT0 + seconds(90)}));
  EXPECT_EQ(latest_of(c), (RestoredState{SiteStatus::kDown, kT0}));
  EXPECT_EQ(latest_of(d), std::nullopt) << "its tombstone deleted it";
  EXPECT_EQ(latest_of(never_seen), std::nullopt);
  EXPECT_FALSE(owned.contains(not_owned));
}

TEST(StateRestore, AUrlSetFindsEachOfItsUrlsAndNoOther) {
  std::vector<std::string> urls;
  urls.reserve(1000);
  for (int i = 0; i < 1000; ++i)
    urls.push_back("http://127.0.0.1/site/" + std::to_string(i * 7919 % 1000));
  const UrlSet set(std::vector<std::string_view>(urls.begin(), urls.end()));
  ASSERT_EQ(set.size(), urls.size());
  for (const std::string& url : urls) {
    const auto position = set.position(url);
    ASSERT_TRUE(position) << url;
    EXPECT_EQ(set[*position], url);
  }
  EXPECT_FALSE(set.contains("http://127.0.0.1/site/"));
  EXPECT_FALSE(set.contains("http://127.0.0.1/site/1000"));
  EXPECT_FALSE(set.contains(""));
  EXPECT_TRUE(UrlSet().empty());
}

TEST(StateRestore, AClusterThatDoesNotAnswerEndsWithinTheTimeoutIncomplete) {
  const std::string nowhere = "127.0.0.1:" + std::to_string(test::unused_loopback_port());
  const auto started = std::chrono::steady_clock::now();
  const RestoreResult result =
      restore_states(dev_kafka(nowhere), {"events"}, {"http://127.0.0.1/a"}, seconds(2));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.restored(), 0u);
  EXPECT_EQ(result.latest, std::vector<std::optional<RestoredState>>(1));
  EXPECT_LT(took, seconds(6)) << "bounded by the timeout plus the client's teardown";
}

}  // namespace
}  // namespace hc::producer
