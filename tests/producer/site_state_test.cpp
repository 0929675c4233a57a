// SiteState: the policy of site_state.h, as tables of verdicts and the changes they decide.
#include "site_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "site_states.h"

namespace hc::producer {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

const WallTime kStart{seconds(1'700'000'000)};

// Check i happens at kStart + i s.
WallTime at(int check) { return kStart + seconds(check); }

StateCause failure(const std::string& name) {
  StateCause cause;
  cause.failed_conditions = {name};
  cause.error = "unexpected_status";
  cause.error_detail = "HTTP 500";
  cause.status_code = 500;
  return cause;
}

// Feeds `verdicts` ('+' healthy, '-' unhealthy) to `state`, one per second from kStart;
// returns "<check>:<from>-><to>" for each change.
std::vector<std::string> changes(SiteState& state, const StateThresholds& thresholds,
                                 const std::string& verdicts) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    const bool healthy = verdicts[i] == '+';
    if (auto change =
            state.observe(thresholds, healthy, at(static_cast<int>(i)), failure("status"))) {
      out.push_back(std::to_string(i) + ":" + std::string(status_name(change->from)) + "->" +
                    std::string(status_name(change->to)));
    }
  }
  return out;
}

struct Row {
  int down_after;
  int up_after;
  std::string verdicts;
  std::vector<std::string> expected;
};

TEST(SiteState, DecidesExactlyTheChangesOfEachTableRow) {
  const std::vector<Row> rows = {
      // A never-seen site: the first check decides, thresholds or not.
      {1, 1, "+", {"0:unknown->up"}},
      {1, 1, "-", {"0:unknown->down"}},
      {3, 3, "-", {"0:unknown->down"}},
      {3, 3, "+", {"0:unknown->up"}},
      // Thresholds of 1: every flip is a change.
      {1, 1, "+-+-", {"0:unknown->up", "1:up->down", "2:down->up", "3:up->down"}},
      {1, 1, "++--++", {"0:unknown->up", "2:up->down", "4:down->up"}},
      // down_after 3: two failures are no change; the third in a row is.
      {3, 1, "+--", {"0:unknown->up"}},
      {3, 1, "+---", {"0:unknown->up", "3:up->down"}},
      // A healthy check in between starts the count again.
      {3, 1, "+--+--+", {"0:unknown->up"}},
      {3, 1, "+--+---", {"0:unknown->up", "6:up->down"}},
      // up_after 2 on the way back; a failure resets the count of successes.
      {1, 2, "+-+-++", {"0:unknown->up", "1:up->down", "5:down->up"}},
      {2,
       2,
       "+--++--++",
       {"0:unknown->up", "2:up->down", "4:down->up", "6:up->down", "8:down->up"}},
      // Staying in a state produces nothing.
      {1, 1, "++++++", {"0:unknown->up"}},
      {1, 1, "------", {"0:unknown->down"}},
  };
  for (const Row& row : rows) {
    SiteState state;
    EXPECT_EQ(changes(state, {row.down_after, row.up_after}, row.verdicts), row.expected)
        << "down_after " << row.down_after << ", up_after " << row.up_after << ", checks "
        << row.verdicts;
  }
}

TEST(SiteState, AChangeCarriesTheDecidingChecksTimeCauseAndTheStartOfThePreviousState) {
  SiteState state;
  const StateThresholds thresholds{2, 1};
  auto first = state.observe(thresholds, true, at(0), {});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->since, std::nullopt);
  EXPECT_EQ(first->cause, std::nullopt);
  EXPECT_FALSE(state.observe(thresholds, false, at(1), failure("regex")));
  auto down = state.observe(thresholds, false, at(2), failure("status"));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->at, at(2));
  EXPECT_EQ(down->since, at(0));
  EXPECT_EQ(down->cause, failure("status"));  // the deciding check's, not the first one's
  auto up = state.observe(thresholds, true, at(7), failure("ignored when healthy"));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->since, at(2));
  EXPECT_EQ(up->cause, std::nullopt);

  const StateEvent event = state_event("http://127.0.0.1/", *up, "host:1");
  EXPECT_EQ(event.url, "http://127.0.0.1/");
  EXPECT_EQ(event.from, SiteStatus::kDown);
  EXPECT_EQ(event.to, SiteStatus::kUp);
  EXPECT_EQ(event.previous_duration_s, 5);
  EXPECT_EQ(event.producer, "host:1");
}

TEST(SiteState, ARestoredStateEmitsNothingUntilItChangesAndSpansTheRestart) {
  const WallTime down_since = at(-3600);  // down for an hour before this process started
  SiteState state(SiteStatus::kDown, down_since);
  const StateThresholds thresholds{1, 1};
  EXPECT_FALSE(state.observe(thresholds, false, at(0), failure("status")));
  auto up = state.observe(thresholds, true, at(1), {});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->from, SiteStatus::kDown);
  EXPECT_EQ(up->since, down_since);
  EXPECT_EQ(state_event("u", *up, "p").previous_duration_s, 3601);
}

TEST(SiteState, RestoredUpDoesNotReannounceUp) {
  SiteState state(SiteStatus::kUp, at(-10));
  EXPECT_EQ(changes(state, {1, 1}, "+++-"), std::vector<std::string>{"3:up->down"});
}

TEST(SiteState, AChangeNeverPrecedesTheStartOfTheStateItEnds) {
  // Restored from a host whose clock was ahead: the check's own time is earlier than since.
  SiteState state(SiteStatus::kUp, at(100));
  auto down = state.observe({1, 1}, false, at(50), failure("status"));
  ASSERT_TRUE(down);
  EXPECT_EQ(down->at, at(100) + microseconds(1));
  EXPECT_EQ(state_event("u", *down, "p").previous_duration_s, 0);
  // And the next change follows it, even at the very same instant.
  auto up = state.observe({1, 1}, true, at(100), {});
  ASSERT_TRUE(up);
  EXPECT_EQ(up->at, at(100) + microseconds(2));
  EXPECT_EQ(state.since(), up->at);
}

TEST(SiteState, PreviousDurationIsWholeSecondsRoundedDown) {
  StateTransition transition;
  transition.from = SiteStatus::kUp;
  transition.to = SiteStatus::kDown;
  transition.since = kStart;
  transition.at = kStart + microseconds(2'999'999);
  EXPECT_EQ(state_event("u", transition, "p").previous_duration_s, 2);
}

Measurement check_of(const std::string& url, int second, bool healthy) {
  Measurement m;
  m.url = url;
  m.measured_at = at(second);
  m.healthy = healthy;
  if (!healthy) {
    m.status_code = 503;
    m.error = "unexpected_status";
    m.error_detail = "HTTP 503";
    m.failed_conditions = {"status", "header:X-Ok"};
  }
  return m;
}

TEST(SiteStates, UsesEachSitesThresholdsAndTheMeasurementsVerdictAsCause) {
  SiteStates states("host:7");
  SiteConfig patient;
  patient.url = "http://127.0.0.1/patient";
  patient.down_after = 2;
  SiteConfig eager;
  eager.url = "http://127.0.0.1/eager";
  ASSERT_TRUE(states.observe(patient, check_of(patient.url, 0, true)));
  ASSERT_TRUE(states.observe(eager, check_of(eager.url, 0, true)));
  EXPECT_FALSE(states.observe(patient, check_of(patient.url, 1, false)));
  auto eager_down = states.observe(eager, check_of(eager.url, 1, false));
  ASSERT_TRUE(eager_down);
  EXPECT_EQ(eager_down->url, eager.url);
  EXPECT_EQ(eager_down->producer, "host:7");
  EXPECT_EQ(eager_down->cause,
            (StateCause{{"status", "header:X-Ok"}, "unexpected_status", "HTTP 503", 503}));
  auto patient_down = states.observe(patient, check_of(patient.url, 2, false));
  ASSERT_TRUE(patient_down);
  EXPECT_EQ(patient_down->at, at(2));
  EXPECT_EQ(states.status_of(patient.url), SiteStatus::kDown);
  EXPECT_EQ(states.status_of("http://127.0.0.1/never"), SiteStatus::kUnknown);
}

TEST(SiteStates, AMeasurementWithoutAVerdictIsHealthyUnlessItHasAnError) {
  SiteStates states("p");
  SiteConfig site;
  site.url = "http://127.0.0.1/";
  Measurement ok = check_of(site.url, 0, true);
  ok.healthy.reset();
  EXPECT_EQ(states.observe(site, ok)->to, SiteStatus::kUp);
  Measurement failed = check_of(site.url, 1, false);
  failed.healthy.reset();
  EXPECT_EQ(states.observe(site, failed)->to, SiteStatus::kDown);
}

TEST(SiteStates, ARestoredSiteContinuesFromItsLatestEvent) {
  SiteStates states("p");
  SiteConfig site;
  site.url = "http://127.0.0.1/";
  states.restore(site.url, SiteStatus::kDown, at(-100));
  EXPECT_FALSE(states.observe(site, check_of(site.url, 0, false)));
  auto up = states.observe(site, check_of(site.url, 1, true));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->since, at(-100));
  EXPECT_EQ(up->previous_duration_s, 101);
}

// Forgetting one site of many leaves every other site's state as it was (the table moves its
// last entry into the freed place and re-indexes it).
TEST(SiteStates, ForgettingASiteLeavesEveryOtherSitesState) {
  SiteStates states("p");
  auto url = [](int i) { return "http://127.0.0.1/site/" + std::to_string(i); };
  constexpr int kSites = 1000;
  for (int i = 0; i < kSites; ++i) {
    SiteConfig site;
    site.url = url(i);
    ASSERT_TRUE(states.observe(site, check_of(site.url, 0, i % 3 != 0)));
  }
  for (int i = 0; i < kSites; i += 7) states.forget(url(i));
  states.forget("http://127.0.0.1/never-seen");
  std::size_t kept = 0;
  for (int i = 0; i < kSites; ++i) {
    const SiteStatus expected = i % 7 == 0   ? SiteStatus::kUnknown
                                : i % 3 != 0 ? SiteStatus::kUp
                                             : SiteStatus::kDown;
    EXPECT_EQ(states.status_of(url(i)), expected) << url(i);
    if (expected != SiteStatus::kUnknown) ++kept;
  }
  EXPECT_EQ(states.size(), kept);
  // A forgotten site starts again from unknown.
  SiteConfig first;
  first.url = url(0);
  EXPECT_EQ(states.observe(first, check_of(first.url, 1, false))->from, SiteStatus::kUnknown);
}

// restore() replaces what the site had, without counting its checks towards a change.
TEST(SiteStates, ARestoreReplacesTheStateTheSiteHad) {
  SiteStates states("p");
  SiteConfig site;
  site.url = "http://127.0.0.1/";
  site.down_after = 2;
  ASSERT_TRUE(states.observe(site, check_of(site.url, 0, true)));
  EXPECT_FALSE(states.observe(site, check_of(site.url, 1, false)));  // 1 of 2 towards down
  states.restore(site.url, SiteStatus::kDown, at(2));
  EXPECT_EQ(states.status_of(site.url), SiteStatus::kDown);
  EXPECT_EQ(states.size(), 1u);
  EXPECT_FALSE(states.observe(site, check_of(site.url, 3, false)));
  EXPECT_EQ(states.observe(site, check_of(site.url, 4, true))->since, at(2));
}

}  // namespace
}  // namespace hc::producer
