// The producer loop on fakes (ProducerParts): a site source the test feeds, a checker whose
// answers and durations the test sets (in fake time), sinks that record what is published,
// an events "topic" shared by two producers for the restore, and a fake clock. The loops are
// driven turn by turn (ProducerLoop::start/step): no threads, no Kafka, no waits.
#include "producer_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "hc/common/message.h"
#include "hc/common/signals.h"
#include "hc/test/fake_clock.h"
#include "memory_release.h"
#include "producer_parts.h"
#include "site_plan.h"

namespace hc::producer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The web the fake checkers reach: per URL whether it answers 200 (else 500) and how long a
// check takes (fake time); every check start is recorded with the producer that made it.
struct FakeWeb {
  explicit FakeWeb(test::FakeClock& clock) : clock(clock) {}
  test::FakeClock& clock;
  std::map<std::string, bool> healthy;                   // default true
  std::map<std::string, milliseconds> takes;             // default 0: done at the next turn
  std::map<std::string, std::deque<bool>> next_answers;  // answers queued before `healthy`
  // Loop time a check's completion costs (fake time passing inside the checker's turn, as a
  // slow verdict or publish would take): default 0.
  std::map<std::string, milliseconds> completion_costs;
  struct Start {
    std::string url;
    std::string by;
    TimePoint at;
  };
  std::vector<Start> starts;
  int idle_releases = 0;  // Checker::release_idle() calls, by every checker

  std::vector<TimePoint> starts_of(const std::string& url, const std::string& by = "") const {
    std::vector<TimePoint> at;
    for (const Start& start : starts) {
      if (start.url == url && (by.empty() || start.by == by)) at.push_back(start.at);
    }
    return at;
  }
  bool answer(const std::string& url) {
    auto queued = next_answers.find(url);
    if (queued != next_answers.end() && !queued->second.empty()) {
      const bool answer = queued->second.front();
      queued->second.pop_front();
      return answer;
    }
    auto found = healthy.find(url);
    return found == healthy.end() || found->second;
  }
};

// Completes each check once its duration has passed on the fake clock. A run_once() with
// nothing to complete lets the fake time pass that it would have waited. Its loop lag sees
// the time between run_once() calls as waiting and run_once() itself, but for that wait, as
// busy.
class FakeChecker final : public Checker {
 public:
  FakeChecker(FakeWeb& web, std::string producer) : web_(web), producer_(std::move(producer)) {}

  void start(const std::shared_ptr<const SitePlan>& plan, Completion done) override {
    const std::string& url = plan->config.url;
    web_.starts.push_back({url, producer_, web_.clock.now()});
    auto takes = web_.takes.find(url);
    const milliseconds duration = takes == web_.takes.end() ? milliseconds(0) : takes->second;
    pending_.push_back({url, web_.clock.now() + duration, std::move(done)});
  }
  std::size_t run_once(milliseconds max_wait) override {
    lag_.wait_ended(web_.clock.now(), web_.clock.now(), false);
    std::size_t completed = complete_due();
    if (completed == 0 && max_wait > milliseconds::zero() && !pending_.empty()) {
      lag_.wait_begins(web_.clock.now());
      web_.clock.advance(max_wait);
      lag_.wait_ended(web_.clock.now(), web_.clock.now(), true);
      completed = complete_due();
    }
    lag_.wait_begins(web_.clock.now());
    return completed;
  }
  const LoopLag& loop_lag() const override { return lag_; }
  void release_idle() override { ++web_.idle_releases; }
  void wakeup() override {}
  std::size_t in_flight() const override { return pending_.size(); }
  std::size_t cancel_all() override {
    const std::size_t count = pending_.size();
    pending_.clear();
    return count;
  }

 private:
  struct Pending {
    std::string url;
    TimePoint done_at;
    Completion done;
  };
  std::size_t complete_due() {
    std::vector<Pending> due;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->done_at <= web_.clock.now()) {
        due.push_back(std::move(*it));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    for (Pending& check : due) {
      CheckResult result;
      result.status_code = web_.answer(check.url) ? 200 : 500;
      check.done(std::move(result));
      if (auto cost = web_.completion_costs.find(check.url); cost != web_.completion_costs.end()) {
        web_.clock.advance(cost->second);
      }
    }
    return due.size();
  }

  FakeWeb& web_;
  LoopLag lag_;
  std::string producer_;
  std::vector<Pending> pending_;
};

// Measurements published, decoded.
struct FakeMeasurements final : MeasurementSink {
  std::vector<Measurement> published;
  bool publish(const std::string& /*topic*/, std::string_view /*key*/,
               std::string_view value) override {
    auto decoded = decode_message(value);
    if (std::holds_alternative<Measurement>(decoded)) {
      published.push_back(std::get<Measurement>(std::move(decoded)));
    }
    return true;
  }
  void poll(milliseconds /*timeout*/) override {}
  std::size_t flush(milliseconds /*timeout*/) override { return 0; }
  std::size_t queue_depth() const override { return 0; }
};

// The events topic the producers share: an event is on it once its producer flushed
// (delivered), as with acks=all; the restore reads what is on it.
struct EventsTopic {
  std::vector<StateEvent> delivered;
  std::optional<StateEvent> latest(const std::string& url) const {
    std::optional<StateEvent> found;
    for (const StateEvent& event : delivered) {
      if (event.url == url) found = event;
    }
    return found;
  }
};

struct FakeEvents final : EventSink {
  explicit FakeEvents(EventsTopic& topic) : topic(topic) {}
  EventsTopic& topic;
  std::vector<StateEvent> queued;
  bool publish(const std::string& /*topic*/, const StateEvent& event) override {
    queued.push_back(event);
    return true;
  }
  void poll(milliseconds /*timeout*/) override {}
  std::size_t flush(milliseconds /*timeout*/) override {
    topic.delivered.insert(topic.delivered.end(), queued.begin(), queued.end());
    queued.clear();
    return 0;
  }
};

// Hands the producer the site lists the test queues, one per poll (or per reload).
class FakeSource final : public SiteSource {
 public:
  FakeSource(std::vector<SiteConfig> initial, bool sites_move)
      : initial_(std::move(initial)), sites_move_(sites_move) {}
  struct Change {
    std::vector<SiteConfig> sites;
    bool revoke = false;
  };
  std::deque<Change>* changes = nullptr;  // the test's queue
  std::optional<std::vector<SiteConfig>>* on_reload = nullptr;

  std::vector<SiteConfig> initial_sites() override { return std::move(initial_); }
  void poll(SiteListener& listener, milliseconds /*wait*/) override {
    if (changes == nullptr || changes->empty()) return;
    Change change = std::move(changes->front());
    changes->pop_front();
    listener.use_sites(change.sites, change.revoke);
  }
  void reload(SiteListener& listener) override {
    if (on_reload != nullptr && *on_reload) listener.use_sites(**on_reload, false);
  }
  void close(SiteListener& /*listener*/) override {}
  bool sites_move() const override { return sites_move_; }

 private:
  std::vector<SiteConfig> initial_;
  bool sites_move_;
};

SiteConfig site(const std::string& path, seconds interval = seconds(1)) {
  SiteConfig site;
  site.url = "http://127.0.0.1:9" + path;
  site.destination_topic = "checks";
  site.events_topic = "checks.events";
  site.polling_interval = interval;
  site.timeout = milliseconds(200);
  return site;
}

// One producer on fakes, driven by the test.
struct FakeProducer {
  FakeProducer(const std::string& id, const std::shared_ptr<test::FakeClock>& clock, FakeWeb& web,
               EventsTopic& topic, std::vector<SiteConfig> initial, bool sites_move = true)
      : id(id), clock(clock) {
    ProducerConfig config;
    config.check_threads = 1;
    config.shutdown_grace = milliseconds(2000);
    ProducerParts parts;
    parts.clock = clock;
    auto source = std::make_unique<FakeSource>(std::move(initial), sites_move);
    source->changes = &changes;
    source->on_reload = &reload_sites;
    parts.sites = std::move(source);
    parts.make_checker = [&web, id] { return std::make_unique<FakeChecker>(web, id); };
    parts.make_measurements = [this](ProducerStats&) {
      auto sink = std::make_unique<FakeMeasurements>();
      measurements = sink.get();
      return sink;
    };
    parts.make_events = [this, &topic](EventStats&) {
      auto sink = std::make_unique<FakeEvents>(topic);
      events = sink.get();
      return sink;
    };
    parts.restore_states = [this, &topic](const std::vector<std::string>& /*topics*/,
                                          const UrlSet& urls, milliseconds,
                                          const std::function<bool()>&, KafkaSettingsProblem*) {
      ++restores;
      RestoreResult result;
      result.complete = true;
      result.latest.resize(urls.size());
      for (std::size_t position = 0; position < urls.size(); ++position) {
        if (auto latest = topic.latest(std::string(urls[position]))) {
          result.latest[position] = RestoredState{latest->to, latest->at};
        }
      }
      return result;
    };
    ProducerOptions options;
    options.producer_id = id;
    loop = std::make_unique<ProducerLoop>(config, options, std::move(parts));
    loop->start(control);
  }

  std::string id;
  std::shared_ptr<test::FakeClock> clock;
  std::deque<FakeSource::Change> changes;
  std::optional<std::vector<SiteConfig>> reload_sites;
  FakeMeasurements* measurements = nullptr;
  FakeEvents* events = nullptr;
  int restores = 0;
  StopControl control;
  std::unique_ptr<ProducerLoop> loop;
};

// Runs the producers for `length` of fake time in 10 ms turns.
void run_for(test::FakeClock& clock, const std::vector<FakeProducer*>& producers,
             milliseconds length) {
  for (milliseconds passed{0}; passed < length; passed += milliseconds(10)) {
    for (FakeProducer* producer : producers) producer->loop->step();
    clock.advance(milliseconds(10));
  }
}

std::string transitions(const std::vector<StateEvent>& events) {
  std::string out;
  for (const StateEvent& event : events) {
    out += std::string(status_name(event.from)) + "->" + std::string(status_name(event.to)) + " ";
  }
  return out;
}

class ProducerLoopTest : public ::testing::Test {
 protected:
  std::shared_ptr<test::FakeClock> clock_ = std::make_shared<test::FakeClock>();
  FakeWeb web_{*clock_};
  EventsTopic topic_;
};

// Sites added, changed and removed by the source take effect from the next turn; a site that
// did not change keeps its no-drift schedule.
TEST_F(ProducerLoopTest, SitesAddedChangedAndRemovedBySourceAreFollowed) {
  const SiteConfig a = site("/a");
  FakeProducer producer("p1", clock_, web_, topic_, {a});
  run_for(*clock_, {&producer}, seconds(5));
  const std::size_t a_checks = web_.starts_of(a.url).size();
  EXPECT_GE(a_checks, 4u);
  EXPECT_LE(a_checks, 5u);

  const SiteConfig b = site("/b");
  producer.changes.push_back({{a, b}, false});
  run_for(*clock_, {&producer}, seconds(5));
  EXPECT_GE(web_.starts_of(b.url).size(), 4u);

  // b's interval goes to 2 s; a is unchanged and keeps its phase.
  const TimePoint a_last = web_.starts_of(a.url).back();
  producer.changes.push_back({{a, site("/b", seconds(2))}, false});
  const std::size_t b_before = web_.starts_of(b.url).size();
  run_for(*clock_, {&producer}, seconds(10));
  EXPECT_LE(web_.starts_of(b.url).size() - b_before, 6u);
  EXPECT_GE(web_.starts_of(b.url).size() - b_before, 4u);
  for (const TimePoint at : web_.starts_of(a.url)) {
    if (at <= a_last) continue;
    EXPECT_EQ((at - a_last) % seconds(1), std::chrono::nanoseconds::zero())
        << "a's schedule drifted after b changed";
  }

  producer.changes.push_back({{a}, false});
  run_for(*clock_, {&producer}, milliseconds(10));  // the turn that applies it
  const std::size_t b_final = web_.starts_of(b.url).size();
  run_for(*clock_, {&producer}, seconds(5));
  EXPECT_EQ(web_.starts_of(b.url).size(), b_final) << "b checked after its removal";
}

// SIGHUP (a reload request) hands the source's new list over.
TEST_F(ProducerLoopTest, ReloadAppliesTheSourcesNewList) {
  const SiteConfig a = site("/a");
  const SiteConfig b = site("/b");
  FakeProducer producer("p1", clock_, web_, topic_, {a}, /*sites_move=*/false);
  run_for(*clock_, {&producer}, seconds(2));
  EXPECT_TRUE(web_.starts_of(b.url).empty());
  producer.reload_sites = std::vector<SiteConfig>{b};
  producer.control.request_reload();
  run_for(*clock_, {&producer}, milliseconds(10));
  const std::size_t a_checks = web_.starts_of(a.url).size();
  run_for(*clock_, {&producer}, seconds(3));
  EXPECT_GE(web_.starts_of(b.url).size(), 2u);
  EXPECT_EQ(web_.starts_of(a.url).size(), a_checks);
}

// A site a reload removed keeps its state: put back by a later reload, it continues from it
// (down->up spanning the time away, not unknown->up), and the sites that stayed keep theirs.
TEST_F(ProducerLoopTest, ASiteARemovedAndPutBackByReloadsContinuesItsState) {
  const SiteConfig a = site("/a");
  const SiteConfig b = site("/b");
  const SiteConfig c = site("/c");
  web_.healthy[a.url] = false;
  FakeProducer producer("p1", clock_, web_, topic_, {a, b, c}, /*sites_move=*/false);
  run_for(*clock_, {&producer}, seconds(2));
  ASSERT_EQ(producer.loop->states().status_of(a.url), SiteStatus::kDown);
  producer.reload_sites = std::vector<SiteConfig>{c, b};
  producer.control.request_reload();
  run_for(*clock_, {&producer}, seconds(2));
  web_.healthy[a.url] = true;
  producer.reload_sites = std::vector<SiteConfig>{b, a, c};
  producer.control.request_reload();
  run_for(*clock_, {&producer}, seconds(2));
  producer.events->flush(milliseconds(0));
  std::vector<StateEvent> of_a;
  for (const StateEvent& event : topic_.delivered) {
    if (event.url == a.url) of_a.push_back(event);
  }
  ASSERT_EQ(transitions(of_a), "unknown->down down->up ");
  EXPECT_EQ(of_a[1].since, of_a[0].at);
  EXPECT_EQ(producer.loop->states().status_of(b.url), SiteStatus::kUp);
  EXPECT_EQ(producer.loop->states().status_of(c.url), SiteStatus::kUp);
  EXPECT_EQ(topic_.delivered.size(), 4u);  // b and c: unknown->up once each
}

// A revoke returns only once the revoked site's check in flight has ended; its result is not
// published, and the site is never started again. The other site goes on.
TEST_F(ProducerLoopTest, RevokedSiteIsNotCheckedAgainAndItsCheckEndsBeforeTheRevoke) {
  const SiteConfig a = site("/a");
  const SiteConfig b = site("/b");
  web_.takes[a.url] = milliseconds(150);
  FakeProducer producer("p1", clock_, web_, topic_, {a, b});
  // Until a check of a is in flight (it takes 150 ms).
  while (web_.starts_of(a.url).empty() ||
         web_.starts_of(a.url).back() + milliseconds(150) <= clock_->now()) {
    run_for(*clock_, {&producer}, milliseconds(10));
  }
  const std::size_t a_published_before = std::count_if(
      producer.measurements->published.begin(), producer.measurements->published.end(),
      [&](const Measurement& m) { return m.url == a.url; });
  producer.changes.push_back({{b}, /*revoke=*/true});
  const TimePoint a_ends_at = web_.starts_of(a.url).back() + milliseconds(150);
  producer.loop->step();  // the revoke: returns after a's check ended
  EXPECT_GE(clock_->now(), a_ends_at) << "the revoke completed while a's check was in flight";
  const std::size_t a_checks = web_.starts_of(a.url).size();
  run_for(*clock_, {&producer}, seconds(5));
  EXPECT_EQ(web_.starts_of(a.url).size(), a_checks) << "a checked after its revoke";
  const std::size_t a_published = std::count_if(
      producer.measurements->published.begin(), producer.measurements->published.end(),
      [&](const Measurement& m) { return m.url == a.url; });
  EXPECT_EQ(a_published, a_published_before) << "the revoked site's last check was published";
  EXPECT_GE(web_.starts_of(b.url).size(), 5u);
}

// A failed attempt is retried within the interval; one measurement counts both attempts.
TEST_F(ProducerLoopTest, FailedAttemptIsRetriedAndPublishedOnce) {
  SiteConfig a = site("/a", seconds(10));
  a.retries = 2;
  a.retry_delay = milliseconds(500);
  web_.next_answers[a.url] = {false};  // the first attempt fails, the retry succeeds
  FakeProducer producer("p1", clock_, web_, topic_, {a});
  while (web_.starts_of(a.url).empty()) run_for(*clock_, {&producer}, milliseconds(10));
  run_for(*clock_, {&producer}, seconds(2));
  ASSERT_EQ(web_.starts_of(a.url).size(), 2u);
  EXPECT_EQ(web_.starts_of(a.url)[1] - web_.starts_of(a.url)[0], milliseconds(500));
  ASSERT_EQ(producer.measurements->published.size(), 1u);
  EXPECT_EQ(producer.measurements->published[0].attempts, 2);
  EXPECT_EQ(producer.measurements->published[0].healthy, true);
  EXPECT_EQ(producer.loop->stats().retries.load(), 1u);
}

// A revoke while a failed attempt waits for its retry drops the retry: the site is not
// checked again and nothing of that check is published.
TEST_F(ProducerLoopTest, RevokeDropsAWaitingRetry) {
  SiteConfig a = site("/a", seconds(10));
  a.retries = 1;
  a.retry_delay = milliseconds(2000);
  web_.healthy[a.url] = false;
  FakeProducer producer("p1", clock_, web_, topic_, {a});
  while (web_.starts_of(a.url).empty()) run_for(*clock_, {&producer}, milliseconds(10));
  run_for(*clock_, {&producer}, milliseconds(500));  // the first attempt failed; retry waits
  ASSERT_EQ(producer.loop->stats().retries.load(), 1u);
  producer.changes.push_back({{}, /*revoke=*/true});
  run_for(*clock_, {&producer}, seconds(5));
  EXPECT_EQ(web_.starts_of(a.url).size(), 1u) << "the retry ran after the revoke";
  EXPECT_TRUE(producer.measurements->published.empty());
  EXPECT_TRUE(topic_.delivered.empty());
}

// At start the sites' states come from the events topic: a site that was down before a
// restart and still is raises no event; its recovery is down->up.
TEST_F(ProducerLoopTest, StateRestoredAtStartSpansARestart) {
  const SiteConfig a = site("/a");
  StateEvent down;
  down.url = a.url;
  down.from = SiteStatus::kUp;
  down.to = SiteStatus::kDown;
  down.since = clock_->wall_now() - std::chrono::hours(2);
  down.at = clock_->wall_now() - std::chrono::hours(1);
  down.producer = "before-restart";
  topic_.delivered.push_back(down);
  web_.next_answers[a.url] = {false, false};
  FakeProducer producer("p1", clock_, web_, topic_, {a}, /*sites_move=*/false);
  EXPECT_EQ(producer.restores, 1);
  run_for(*clock_, {&producer}, seconds(4));
  producer.events->flush(milliseconds(0));
  ASSERT_EQ(transitions(topic_.delivered), "up->down down->up ");
  EXPECT_EQ(topic_.delivered[1].since, down.at);
}

// State changes: one event per change, with down_after counting failures.
TEST_F(ProducerLoopTest, StateChangesArePublishedOncePerChange) {
  SiteConfig a = site("/a");
  a.down_after = 2;
  web_.next_answers[a.url] = {true, false, true, false, false, false, true};
  FakeProducer producer("p1", clock_, web_, topic_, {a});
  run_for(*clock_, {&producer}, seconds(8));
  producer.events->flush(milliseconds(0));
  EXPECT_EQ(transitions(topic_.delivered), "unknown->up up->down down->up ");
}

// Issue 22 item 4: a site moves from A to B while it is down. B restores its state before its
// first check: no second "down"; when the site comes back, one down->up spanning the move.
TEST_F(ProducerLoopTest, StateChangesStayExactWhenASiteMovesBetweenProducers) {
  const SiteConfig a = site("/a");
  web_.healthy[a.url] = false;
  FakeProducer first("A", clock_, web_, topic_, {a});
  FakeProducer second("B", clock_, web_, topic_, {});
  run_for(*clock_, {&first, &second}, seconds(3));
  // A's event is queued; the revoke delivers it before it completes.
  EXPECT_TRUE(topic_.delivered.empty());
  first.changes.push_back({{}, /*revoke=*/true});
  run_for(*clock_, {&first, &second}, milliseconds(10));
  ASSERT_EQ(transitions(topic_.delivered), "unknown->down ");
  EXPECT_EQ(topic_.delivered[0].producer, "A");
  const int restores_before = second.restores;
  second.changes.push_back({{a}, false});
  run_for(*clock_, {&first, &second}, seconds(3));
  EXPECT_EQ(second.restores, restores_before + 1);
  EXPECT_GE(web_.starts_of(a.url, "B").size(), 2u);
  web_.healthy[a.url] = true;
  run_for(*clock_, {&first, &second}, seconds(3));
  second.events->flush(milliseconds(0));
  first.events->flush(milliseconds(0));
  const std::vector<StateEvent>& of_a = topic_.delivered;
  ASSERT_EQ(transitions(of_a), "unknown->down down->up ");
  EXPECT_EQ(of_a[1].producer, "B");
  EXPECT_EQ(of_a[1].since, of_a[0].at);
}

// A site moving in neither delays nor shifts the sites its new owner already checks, and it
// keeps its own phase: its first check on B comes whole intervals after its last on A.
TEST_F(ProducerLoopTest, SitesThatDidNotMoveKeepTheirScheduleWhenOneMovesIn) {
  const SiteConfig a = site("/a");
  const SiteConfig stay = site("/stay");
  FakeProducer first("A", clock_, web_, topic_, {a});
  FakeProducer second("B", clock_, web_, topic_, {stay});
  run_for(*clock_, {&first, &second}, seconds(3));
  first.changes.push_back({{}, /*revoke=*/true});
  run_for(*clock_, {&first, &second}, milliseconds(500));
  second.changes.push_back({{a, stay}, false});
  run_for(*clock_, {&first, &second}, seconds(4));
  const std::vector<TimePoint> stay_starts = web_.starts_of(stay.url);
  ASSERT_GE(stay_starts.size(), 7u);
  for (std::size_t i = 1; i < stay_starts.size(); ++i) {
    EXPECT_EQ(stay_starts[i] - stay_starts[i - 1], seconds(1)) << "check " << i << " of stay";
  }
  const std::vector<TimePoint> on_a = web_.starts_of(a.url, "A");
  const std::vector<TimePoint> on_b = web_.starts_of(a.url, "B");
  ASSERT_FALSE(on_a.empty());
  ASSERT_FALSE(on_b.empty());
  EXPECT_EQ((on_b.front() - on_a.back()) % seconds(1), std::chrono::nanoseconds::zero());
  EXPECT_GE(on_b.front() - on_a.back(), seconds(1));
}

// A site that comes back to a producer that checked it before: what that producer kept is
// stale (another judged the site since); the topic's latest event wins.
TEST_F(ProducerLoopTest, SiteBackFromAnotherProducerTakesTheTopicsStateOverItsOwn) {
  const SiteConfig a = site("/a");
  FakeProducer first("A", clock_, web_, topic_, {a});
  run_for(*clock_, {&first}, seconds(2));  // A: unknown->up
  first.changes.push_back({{}, true});
  run_for(*clock_, {&first}, milliseconds(10));
  ASSERT_EQ(transitions(topic_.delivered), "unknown->up ");
  // Elsewhere the site went down (another producer's event).
  StateEvent down = topic_.delivered[0];
  down.from = SiteStatus::kUp;
  down.to = SiteStatus::kDown;
  down.since = down.at;
  down.at = clock_->wall_now();
  down.producer = "C";
  topic_.delivered.push_back(down);
  web_.healthy[a.url] = false;
  first.changes.push_back({{a}, false});
  run_for(*clock_, {&first}, seconds(3));
  first.events->flush(milliseconds(0));
  EXPECT_EQ(transitions(topic_.delivered), "unknown->up up->down ");
  EXPECT_EQ(first.loop->states().status_of(a.url), SiteStatus::kDown);
}

// loop_lag_us: a check in flight while the loop spent 30 ms on each of two other checks'
// completions says the loop may have been 60 ms late for it (its events may have waited
// through both); on an idle loop it is below the test's turn of 10 ms (how late a start can be
// when turns come every 10 ms of fake time).
TEST_F(ProducerLoopTest, LoopLagReportsTheLoopsBusyTime) {
  // Each 3 s check of `slow` spans at least two completions of `busy` (every 1 s).
  const SiteConfig slow = site("/slow", seconds(5));
  const SiteConfig busy = site("/busy");
  const SiteConfig idle = site("/idle");
  web_.takes[slow.url] = milliseconds(3000);
  web_.completion_costs[busy.url] = milliseconds(30);
  FakeProducer producer("p1", clock_, web_, topic_, {slow, busy});
  FakeProducer quiet("p2", clock_, web_, topic_, {idle});
  run_for(*clock_, {&producer, &quiet}, seconds(12));

  std::map<std::string, std::vector<std::int64_t>> lags;
  for (const FakeProducer* p : {&producer, &quiet}) {
    for (const Measurement& m : p->measurements->published) {
      ASSERT_TRUE(m.loop_lag_us.has_value()) << m.url;
      lags[m.url].push_back(*m.loop_lag_us);
    }
  }
  ASSERT_GE(lags[slow.url].size(), 2u);
  for (const std::int64_t lag : lags[slow.url]) EXPECT_GE(lag, 60000) << "slow's loop lag";
  ASSERT_GE(lags[idle.url].size(), 2u);
  for (const std::int64_t lag : lags[idle.url]) EXPECT_LT(lag, 10000) << "idle's loop lag";
}

// A check loop hands back what its checker keeps idle once a period of its clock, at the end of a
// turn, whether its checks are busy or not; a long turn does not make two releases in a row.
TEST_F(ProducerLoopTest, TheCheckerReleasesItsIdleMemoryOncePerPeriod) {
  FakeProducer producer("p1", clock_, web_, topic_, {site("/a"), site("/b")});
  const milliseconds period = MemoryReleaseSchedule::kPeriod;
  run_for(*clock_, {&producer}, period);  // its last turn 10 ms before the period ends
  EXPECT_EQ(web_.idle_releases, 0);
  producer.loop->step();
  EXPECT_EQ(web_.idle_releases, 1);
  run_for(*clock_, {&producer}, period);
  EXPECT_EQ(web_.idle_releases, 1);
  clock_->advance(3 * period);  // a turn three periods late
  producer.loop->step();
  EXPECT_EQ(web_.idle_releases, 2);
  producer.loop->step();
  EXPECT_EQ(web_.idle_releases, 2);
  EXPECT_GT(producer.measurements->published.size(), 0u);
}

// Sites on one host that take no per-host limit, with their first runs all due at once: the
// producer's step after `burst` advanced the clock past them.
std::vector<SiteConfig> burst_sites(std::size_t count) {
  std::vector<SiteConfig> sites;
  for (std::size_t i = 0; i < count; ++i) {
    SiteConfig burst = site("/burst" + std::to_string(i), seconds(10));
    burst.max_concurrent_per_host = 1000;
    sites.push_back(std::move(burst));
  }
  return sites;
}

// Applies the producer's sites (their first runs spread over their 10 s interval) and moves
// the clock to just before the end of that interval: every site not started yet is due.
void burst(test::FakeClock& clock, FakeProducer& producer) {
  producer.loop->step();
  clock.advance(seconds(10) - std::chrono::nanoseconds(1));
}

// More checks due at once than a turn starts: each turn starts kStartsPerTurn of them more than
// the previous turn completed and then serves the checker, so what completed is published
// before the next ones start; the rest start in the next turns, late, and none is skipped or
// started twice.
TEST_F(ProducerLoopTest, ATurnStartsABoundedNumberOfChecksAndServesCompletionsBetween) {
  constexpr std::size_t kSites = 3 * CheckLoop::kStartsPerTurn + 5;
  const std::vector<SiteConfig> sites = burst_sites(kSites);
  FakeProducer producer("p1", clock_, web_, topic_, sites);
  burst(*clock_, producer);
  std::size_t started = web_.starts.size();
  ASSERT_LT(started, kSites);
  int turns = 0;
  std::size_t completed_last_turn = 0;  // the burst's first turn follows a turn of none
  while (started < kSites) {
    producer.loop->step();
    ++turns;
    ASSERT_EQ(web_.starts.size(),
              std::min(kSites, started + CheckLoop::kStartsPerTurn + completed_last_turn));
    completed_last_turn = web_.starts.size() - started;  // each completes in its turn
    started = web_.starts.size();
    EXPECT_EQ(producer.measurements->published.size(), started)
        << "turn " << turns << ": what completed is published before the next starts";
    clock_->advance(milliseconds(1));
  }
  EXPECT_GE(turns, 3);
  for (const SiteConfig& s : sites) EXPECT_EQ(web_.starts_of(s.url).size(), 1u) << s.url;
  EXPECT_EQ(producer.loop->stats().skipped_late.load(), 0u);
  EXPECT_EQ(producer.loop->stats().skipped_in_flight.load(), 0u);
}

// Retries due at once share the turns' bound with the checks: a turn after one that completed
// nothing starts kStartsPerTurn of them, the rest follow, and each site publishes one
// measurement of both its attempts.
TEST_F(ProducerLoopTest, RetriesDueAtOnceAreStartedABoundedNumberPerTurn) {
  std::vector<SiteConfig> sites = burst_sites(4 * CheckLoop::kStartsPerTurn);
  for (SiteConfig& s : sites) {
    s.retries = 1;
    s.retry_delay = milliseconds(500);
    web_.next_answers[s.url] = {false};  // the first attempt fails, the retry succeeds
  }
  FakeProducer producer("p1", clock_, web_, topic_, sites);
  // Half of the interval: the sites due then have the other half left for their retries.
  producer.loop->step();
  clock_->advance(seconds(5));
  // Their first attempts, all at the same time, so their retries are all due at once.
  std::size_t first_attempts = 0;
  do {
    first_attempts = web_.starts.size();
    producer.loop->step();
  } while (web_.starts.size() > first_attempts);
  ASSERT_EQ(producer.loop->stats().retries.load(), first_attempts);
  ASSERT_GT(first_attempts, CheckLoop::kStartsPerTurn);
  std::set<std::string> retried;
  for (const FakeWeb::Start& start : web_.starts) retried.insert(start.url);
  clock_->advance(milliseconds(500));  // their retries are due (and a few sites' first runs)
  const std::size_t started = web_.starts.size();
  producer.loop->step();  // after a turn that completed nothing
  EXPECT_EQ(web_.starts.size(), started + CheckLoop::kStartsPerTurn);
  for (int turn = 0; turn < 100; ++turn) producer.loop->step();
  std::size_t published = 0;
  for (const Measurement& m : producer.measurements->published) {
    if (!retried.contains(m.url)) continue;
    ++published;
    EXPECT_EQ(m.attempts, 2) << m.url;
    EXPECT_EQ(m.healthy, true) << m.url;
  }
  EXPECT_EQ(published, first_attempts);
}

// A burst of one host's sites behind its per-host limit: the attempts handed a slot start in
// the turns' bound with the due checks, and every site is checked and published once.
TEST_F(ProducerLoopTest, ABurstBehindAPerHostLimitIsCheckedOncePerSite) {
  constexpr std::size_t kSites = 2 * CheckLoop::kStartsPerTurn + 3;
  std::vector<SiteConfig> sites = burst_sites(kSites);
  for (SiteConfig& s : sites) {
    s.max_concurrent_per_host = 4;
    web_.takes[s.url] = milliseconds(3);
  }
  FakeProducer producer("p1", clock_, web_, topic_, sites);
  burst(*clock_, producer);
  for (int turn = 0; turn < 1000 && producer.measurements->published.size() < kSites; ++turn) {
    producer.loop->step();
    clock_->advance(milliseconds(1));
  }
  ASSERT_EQ(producer.measurements->published.size(), kSites);
  for (const SiteConfig& s : sites) EXPECT_EQ(web_.starts_of(s.url).size(), 1u) << s.url;
  EXPECT_GT(producer.loop->stats().waited_for_host.load(), 0u);
  EXPECT_EQ(producer.loop->stats().skipped_in_flight.load(), 0u);
}

}  // namespace
}  // namespace hc::producer
