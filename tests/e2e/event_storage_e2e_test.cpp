// State-change events stored: `hc --producer` checks a local page switched between 200 and
// 500, `hc --consumer` with a `kind: events` route writes the events table, and the test reads
// it back in SQL, through the <table>_open view and through `hc status`. Hostile records on
// the events route (and an event on the measurements route) are dead-lettered with their
// reasons while the good events around them are written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "consumer_e2e_fixture.h"
#include "hc/common/message.h"
#include "hc/common/state_event.h"
#include "hc/test/kafka_test_reader.h"
#include "hc/test/support.h"
#include "state_events_fixture.h"

namespace hc {
namespace {

using std::chrono::seconds;

constexpr const char* kEventsTable = "site_events";

class EventStorageE2E : public ::testing::Test {
 protected:
  std::vector<test::Route> routes() const {
    return {{"healthcheck", postgres_.uri(), "healthcheck", ""},
            {"healthcheck.events", postgres_.uri(), kEventsTable, "kind: events"}};
  }
  // A query's single value, or "" while the table does not exist yet.
  std::string query(const std::string& sql) {
    try {
      return postgres_.query(sql);
    } catch (const std::exception&) {
      return "";
    }
  }
  std::string transitions_in_table(const std::string& url) {
    return query(std::string("SELECT string_agg(from_state || '->' || to_state, ' ' ORDER BY at)"
                             " FROM ") +
                 kEventsTable + " WHERE url = '" + url + "'");
  }
  // `hc status --format json` with `config`: the entry of `url`, once the measurements table
  // has `checks` rows of it (status lists the sites of the measurements tables; their topic's
  // partitions may be written after the events').
  nlohmann::json status_of(const std::filesystem::path& config, const std::string& url,
                           int checks) {
    EXPECT_TRUE(test::eventually(
        [&] {
          const std::string rows =
              query("SELECT count(*) FROM healthcheck WHERE uri = '" + url + "'");
          return !rows.empty() && std::stoi(rows) >= checks;
        },
        seconds(60)));
    const test::CommandResult result = test::run_command(
        {test::hc_binary().string(), "status", "-c", config.string(), "--format", "json"},
        seconds(30));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    for (const auto& site : nlohmann::json::parse(result.output, nullptr, false)) {
      if (site.value("url", "") == url) return site;
    }
    ADD_FAILURE() << url << " not in: " << result.output;
    return nlohmann::json::object();
  }

  test::TempDir dir_;
  test::TempPostgres postgres_;
};

std::vector<StateEvent> events_on_topic(const test::DevBroker& broker, std::size_t expected) {
  std::vector<StateEvent> events;
  for (const auto& record : test::read_topic(broker.bootstrap_servers(), "healthcheck.events", 1,
                                             expected, seconds(3))) {
    auto decoded = decode_state_event(record.value);
    if (auto* event = std::get_if<StateEvent>(&decoded)) events.push_back(std::move(*event));
  }
  return events;
}

std::string epoch_us(WallTime time) { return std::to_string(time.time_since_epoch().count()); }

// The page answers 200, then 500 three times, then 200: the table gets unknown->up,
// up->down (listed by the _open view, shown by `hc status`), then down->up (the view empty),
// each event once, with the times of the events on the topic. A second consumer group
// replaying the whole topic changes no row (not even its version: the upsert's guard).
TEST_F(EventStorageE2E, APageSwitchedBetween200And500IsStoredExactlyOnceAndReplaysChangeNothing) {
  test::DevBroker broker({{"healthcheck", 4},
                          {"healthcheck.events", 1},
                          {"healthcheck.dlq", 1},
                          {"healthcheck.events.dlq", 1}});
  e2e::ScriptedPage page("+---+");
  const auto producer_config = dir_.path() / "producer.yaml";
  e2e::write_config(producer_config, page.url(), "");
  e2e::ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1",
                                routes());
  const auto consumer_config = dir_.path() / "consumer.yaml";
  const std::string url = page.url();

  // Down: 3 checks (+ - -), the producer stopped while the page is still broken.
  const std::string first_log = e2e::run_producer_until(broker, producer_config, page, 3);
  ASSERT_TRUE(test::eventually([&] { return transitions_in_table(url) == "unknown->up up->down"; },
                               seconds(60)))
      << transitions_in_table(url) << "\n"
      << first_log << consumer.log();
  std::vector<StateEvent> events = events_on_topic(broker, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(query(std::string("SELECT string_agg((extract(epoch FROM at) * 1000000)::bigint::text,"
                              " ' ' ORDER BY at) FROM ") +
                  kEventsTable),
            epoch_us(events[0].at) + " " + epoch_us(events[1].at));
  EXPECT_EQ(query(std::string("SELECT url || ' ' || error || ' ' || status_code || ' ' ||"
                              " array_to_string(failed_conditions, ',') || ' ' ||"
                              " (extract(epoch FROM down_since) * 1000000)::bigint FROM ") +
                  kEventsTable + "_open"),
            url + " unexpected_status 500 status " + epoch_us(events[1].at));
  nlohmann::json down = status_of(consumer_config, url, 3);
  EXPECT_EQ(down.value("state", ""), "down") << down.dump();
  EXPECT_EQ(down.value("state_since", ""), format_timestamp(events[1].at)) << down.dump();

  // Up again: the restarted producer restores "down" and its next 200 is down->up.
  const std::string second_log = e2e::run_producer_until(broker, producer_config, page, 5);
  ASSERT_TRUE(test::eventually(
      [&] { return transitions_in_table(url) == "unknown->up up->down down->up"; }, seconds(60)))
      << transitions_in_table(url) << "\n"
      << second_log << consumer.log();
  events = events_on_topic(broker, 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(query(std::string("SELECT count(*) FROM ") + kEventsTable + "_open"), "0");
  nlohmann::json up = status_of(consumer_config, url, 5);
  EXPECT_EQ(up.value("state", ""), "up") << up.dump();
  EXPECT_EQ(up.value("state_since", ""), format_timestamp(events[2].at)) << up.dump();
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();

  // Replay: a new group reads the topic from the start. A sentinel event after the page's
  // (one partition: in order) says when the replay has passed them.
  const std::string versions_before = query(std::string("SELECT string_agg(xmin::text, ' ' ORDER"
                                                        " BY at) FROM ") +
                                            kEventsTable);
  StateEvent sentinel;
  sentinel.url = "https://sentinel.test/";
  sentinel.from = SiteStatus::kUnknown;
  sentinel.to = SiteStatus::kUp;
  sentinel.at = events[2].at;
  e2e::TestProducer producer(broker.bootstrap_servers());
  producer.send_raw("healthcheck.events", sentinel.url, encode_state_event(sentinel));
  producer.flush();
  e2e::ConsumerProcess replay(dir_.path(), "replay", broker.bootstrap_servers(), "g2", routes());
  ASSERT_TRUE(test::eventually(
      [&] {
        return query(std::string("SELECT count(*) FROM ") + kEventsTable +
                     " WHERE url = 'https://sentinel.test/'") == "1";
      },
      seconds(60)))
      << replay.log();
  EXPECT_EQ(transitions_in_table(url), "unknown->up up->down down->up");
  EXPECT_EQ(
      query(std::string("SELECT count(*) FROM ") + kEventsTable + " WHERE url = '" + url + "'"),
      "3");
  EXPECT_EQ(query(std::string("SELECT string_agg(xmin::text, ' ' ORDER BY at) FROM ") +
                  kEventsTable + " WHERE url <> 'https://sentinel.test/'"),
            versions_before);
  EXPECT_EQ(replay.stop(), 0) << replay.log();
}

// Every hostile record on the events route is dead-lettered once with its reason; the good
// events before and after it are written. An event on the measurements route is wrong_kind
// there, and the measurement after it is written.
TEST_F(EventStorageE2E, HostileEventsAreDeadLetteredWithTheirReasonsAndLaterEventsWritten) {
  test::DevBroker broker({{"healthcheck", 1},
                          {"healthcheck.events", 1},
                          {"healthcheck.dlq", 1},
                          {"healthcheck.events.dlq", 1}});
  e2e::TestProducer producer(broker.bootstrap_servers(), {{"message.max.bytes", "10000000"}});
  const std::string url = "https://hostile.test/";
  StateEvent first;
  first.url = url;
  first.from = SiteStatus::kUnknown;
  first.to = SiteStatus::kUp;
  first.at = WallTime(std::chrono::microseconds(1'795'000'000'000'000));
  first.producer = "test:1";
  StateEvent later = first;
  later.from = SiteStatus::kUp;
  later.to = SiteStatus::kDown;
  later.at = first.at + seconds(60);
  later.since = first.at;
  later.previous_duration_s = 60;
  later.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
  const std::string good = encode_state_event(later);
  const auto edited = [&good](const std::string& from, const std::string& to) {
    std::string value = good;
    value.replace(value.find(from), from.size(), to);
    return value;
  };
  const std::vector<std::pair<std::string, std::string>> hostile = {
      {"nul_byte", edited("HTTP 500", "HTTP\\u0000500")},
      {"bad_utf8", edited("HTTP 500", "HTTP \xff\xfe")},
      {"bad_timestamp", edited(format_timestamp(later.at), "0000-01-01T00:00:00.000000Z")},
      {"too_large", edited("HTTP 500", std::string(std::size_t{1024} * 1024, 'x'))},
      {"wrong_type", edited("\"previous_duration_s\":60", "\"previous_duration_s\":\"60\"")},
      {"wrong_kind", encode_message(e2e::measurement(url, 1'795'000'000'000'000))},
      {"bad_transition", edited("\"to\":\"down\"", "\"to\":\"up\"")},
  };
  producer.send_raw("healthcheck.events", url, encode_state_event(first));
  for (const auto& [reason, value] : hostile) producer.send_raw("healthcheck.events", url, value);
  producer.send_raw("healthcheck.events", url, good);
  producer.send_raw("healthcheck", url, good);  // an event where measurements belong
  producer.send("healthcheck", e2e::measurement(url, 1'795'000'000'000'000));
  producer.flush();

  e2e::ConsumerProcess consumer(dir_.path(), "consumer", broker.bootstrap_servers(), "g1",
                                routes());
  ASSERT_TRUE(test::eventually(
      [&] {
        return transitions_in_table(url) == "unknown->up up->down" &&
               query("SELECT count(*) FROM healthcheck") == "1";
      },
      seconds(60)))
      << transitions_in_table(url) << "\n"
      << consumer.log();
  EXPECT_EQ(
      query(std::string("SELECT error_detail FROM ") + kEventsTable + " WHERE to_state = 'down'"),
      "HTTP 500");

  const auto letters = test::read_topic(broker.bootstrap_servers(), "healthcheck.events.dlq", 1,
                                        hostile.size(), seconds(3));
  ASSERT_EQ(letters.size(), hostile.size()) << consumer.log();
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    EXPECT_EQ(letters[i].header("hc-dlq-reason"), hostile[i].first) << i;
    EXPECT_EQ(letters[i].header("hc-source-topic"), "healthcheck.events") << i;
    EXPECT_EQ(letters[i].header("hc-source-offset"), std::to_string(i + 1)) << i;
  }
  EXPECT_NE(letters[5].header("hc-dlq-detail").find("a measurement (message v1) on an events"),
            std::string::npos)
      << letters[5].header("hc-dlq-detail");
  const auto measurement_letters =
      test::read_topic(broker.bootstrap_servers(), "healthcheck.dlq", 1, 1, seconds(3));
  ASSERT_EQ(measurement_letters.size(), 1u) << consumer.log();
  EXPECT_EQ(measurement_letters[0].header("hc-dlq-reason"), "wrong_kind");
  EXPECT_NE(measurement_letters[0]
                .header("hc-dlq-detail")
                .find("state-change event on a "
                      "measurements route"),
            std::string::npos);
  EXPECT_EQ(consumer.stop(), 0) << consumer.log();
}

}  // namespace
}  // namespace hc
