// The consumer's write states from a table of cases: a sequence of events at given times ->
// the phase, what the partitions were told, the commit, the held batch, /healthz and the log.
#include "write_state.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

// The cases below name only the fields that differ from the defaults (designated
// initializers); GCC 12 warns about the others all the same.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace ev = write_event;

const WriteTime kStart{std::chrono::hours(1000)};

WriteSettings settings() {
  WriteSettings s;
  s.first_retry = milliseconds(200);
  s.max_retry = milliseconds(10'000);
  s.pause_for_slow_write_after = milliseconds(1000);
  s.writer_busy_unhealthy_after = seconds(30);
  s.statement_timeout = milliseconds(5000);
  s.lock_timeout = milliseconds(2000);
  s.repeat_error_log_every = seconds(60);
  s.database_names = {"db-a", "db-b"};
  return s;
}

WriteFailure outage(std::size_t database = 0) {
  return {database, DbErrorClass::kOutage, "connection refused", "08006"};
}
WriteFailure busy() { return {0, DbErrorClass::kBusy, "canceling statement", "57014"}; }
WriteFailure definition() {
  return {1, DbErrorClass::kDefinition, "column \"x\" does not exist", "42703"};
}

struct Timed {
  milliseconds at;  // since kStart
  WriteEvent event;
};

struct Case {
  std::string name;
  std::vector<Timed> events;
  // Expected after the last event: its actions and the state it leaves.
  WritePhase phase = WritePhase::kIdle;
  std::optional<bool> pause;  // the last event's pause action
  bool paused = false;        // the partitions, as last told
  CommitMode commit = CommitMode::kNone;
  bool hold = false;
  std::optional<bool> database_up;
  std::string problem;  // substring of /healthz; empty = healthy
  std::string log;      // substring of the last event's last log line; empty = none
  std::optional<milliseconds> retry_in;  // retry_at - time of the last event
};

std::vector<Case> cases() {
  const auto ms = [](int n) { return milliseconds(n); };
  std::vector<Case> all = {
      {.name = "IdleTickDoesNothing", .events = {{ms(0), ev::Tick{}}}},
      {.name = "StartedWrites", .events = {{ms(0), ev::Started{}}}, .phase = WritePhase::kWriting},
      {.name = "DoneCommitsAsynchronously",
       .events = {{ms(0), ev::Started{}}, {ms(50), ev::Done{}}},
       .commit = CommitMode::kAsync},
      {.name = "DoneWhileStoppingCommitsSynchronously",
       .events = {{ms(0), ev::Started{}}, {ms(10), ev::StopRequested{}}, {ms(50), ev::Done{}}},
       .commit = CommitMode::kSync},
      {.name = "DoneWhileRevokingCommitsSynchronously",
       .events = {{ms(0), ev::Started{}}, {ms(10), ev::RevokeStarted{}}, {ms(50), ev::Done{}}},
       .phase = WritePhase::kRevoking,
       .commit = CommitMode::kSync},
      {.name = "FirstOutagePausesHoldsAndRetriesAfterFirstRetry",
       .events = {{ms(0), ev::Started{}}, {ms(30), ev::Failed{outage()}}},
       .phase = WritePhase::kHeldForBackoff,
       .pause = true,
       .paused = true,
       .hold = true,
       .database_up = false,
       .problem = "database unavailable: connection refused; consumption paused, retrying",
       .log = "pausing consumption, retrying every 200 ms .. 10 s",
       .retry_in = ms(200)},
      {.name = "RetriesBackOffExponentially",
       .events = {{ms(0), ev::Failed{outage()}},
                  {ms(200), ev::Started{}},
                  {ms(210), ev::Failed{outage()}},
                  {ms(610), ev::Started{}},
                  {ms(620), ev::Failed{outage()}}},
       .phase = WritePhase::kHeldForBackoff,
       .paused = true,
       .hold = true,
       .problem = "database unavailable",
       .log = "still failing after 3 attempts, next in 800 ms",
       .retry_in = ms(800)},
      {.name = "SuccessAfterFailureCommitsResumesAndSaysBack",
       .events = {{ms(0), ev::Failed{outage(1)}}, {ms(200), ev::Started{}}, {ms(1700), ev::Done{}}},
       .pause = false,
       .commit = CommitMode::kAsync,
       .database_up = true,
       .log = "database db-b is back after 1.7 s (1 failed attempt); resuming consumption"},
      {.name = "ProbeAnsweredRecoversWithoutCommit",
       .events = {{ms(0), ev::Failed{outage()}},
                  {ms(200), ev::Started{}},
                  {ms(210), ev::Done{true}}},
       .pause = false,
       .database_up = true,
       .log = "database db-a is back"},
      {.name = "BusyNamesTheTimeouts",
       .events = {{ms(0), ev::Failed{busy()}}},
       .phase = WritePhase::kHeldForBackoff,
       .pause = true,
       .paused = true,
       .hold = true,
       .database_up = false,
       .problem = "database busy: canceling statement; consumption paused, retrying",
       .log = "(statement_timeout 5000 ms / lock_timeout 2000 ms)",
       .retry_in = ms(200)},
      {.name = "DefinitionErrorNamesTheTable",
       .events = {{ms(0), ev::Failed{definition()}}},
       .phase = WritePhase::kHeldForBackoff,
       .pause = true,
       .paused = true,
       .hold = true,
       .database_up = false,
       .problem = "database refuses writes: column \"x\" does not exist (SQLSTATE 42703); "
                  "consumption paused until the table is fixed",
       .log = "this repeats every minute until it is fixed",
       .retry_in = ms(200)},
      {.name = "DefinitionErrorIsNotRepeatedWithinAMinute",
       .events = {{ms(0), ev::Failed{definition()}}, {ms(59'000), ev::Failed{definition()}}},
       .phase = WritePhase::kHeldForBackoff,
       .paused = true,
       .hold = true,
       .problem = "database refuses writes",
       .log = "still failing after 2 attempts",
       .retry_in = ms(400)},
      {.name = "DefinitionErrorIsRepeatedEveryMinute",
       .events = {{ms(0), ev::Failed{definition()}}, {ms(60'000), ev::Failed{definition()}}},
       .phase = WritePhase::kHeldForBackoff,
       .paused = true,
       .hold = true,
       .problem = "database refuses writes",
       .log = "database refuses the batch, not because of its rows",
       .retry_in = ms(400)},
      {.name = "AChangedErrorClassIsLoggedAtOnce",
       .events = {{ms(0), ev::Failed{outage()}}, {ms(200), ev::Failed{busy()}}},
       .phase = WritePhase::kHeldForBackoff,
       .paused = true,
       .hold = true,
       .problem = "database busy",
       .log = "database busy: canceling statement (statement_timeout",
       .retry_in = ms(400)},
      {.name = "PendingDeadLettersHoldTheBatchAndPause",
       .events = {{ms(0), ev::Started{}}, {ms(40), ev::Done{false, 3}}},
       .phase = WritePhase::kWaitingForDeadLetters,
       .pause = true,
       .paused = true,
       .hold = true,
       .log = "3 dead letters not yet acknowledged; pausing consumption",
       .retry_in = ms(200)},
      {.name = "DeliveredDeadLettersCommitAndResume",
       .events = {{ms(0), ev::Done{false, 3}}, {ms(200), ev::Started{}}, {ms(260), ev::Done{}}},
       .pause = false,
       .commit = CommitMode::kAsync,
       .log = "dead letters delivered; resuming consumption"},
      {.name = "StillPendingDeadLettersAreWarnedOnce",
       .events = {{ms(0), ev::Done{false, 3}}, {ms(200), ev::Done{false, 2}}},
       .phase = WritePhase::kWaitingForDeadLetters,
       .paused = true,
       .hold = true,
       .retry_in = ms(200)},
      {.name = "ARevokeDropsTheWaitForDeadLetters",
       .events = {{ms(0), ev::Done{false, 3}},
                  {ms(10), ev::RevokeStarted{}},
                  {ms(20), ev::RevokeEnded{}}},
       .pause = false},
      {.name = "ClosingKeepsThePartitionsAsTheyAre",
       .events = {{ms(0), ev::Done{false, 3}},
                  {ms(10), ev::Closing{}},
                  {ms(20), ev::RevokeStarted{}},
                  {ms(30), ev::RevokeEnded{}}},
       .phase = WritePhase::kClosing,
       .paused = true,
       .retry_in = ms(200 - 30)},
      {.name = "AnOutageOutlivesARevoke",
       .events = {{ms(0), ev::Failed{outage()}},
                  {ms(10), ev::RevokeStarted{}},
                  {ms(20), ev::RevokeEnded{}}},
       .phase = WritePhase::kHeldForBackoff,
       .paused = true,
       .problem = "database unavailable",
       .retry_in = ms(180)},
      {.name = "AStaleResultOnlyEndsTheWrite",
       .events = {{ms(0), ev::Started{}}, {ms(5), ev::Stale{}}}},
      {.name = "AShortWriteWithAFullBatchDoesNotPause",
       .events = {{ms(0), ev::Started{}}, {ms(999), ev::Tick{true}}},
       .phase = WritePhase::kWriting},
      {.name = "ASlowWriteWithAFullBatchPauses",
       .events = {{ms(0), ev::Started{}}, {ms(1000), ev::Tick{true}}},
       .phase = WritePhase::kWriting,
       .pause = true,
       .paused = true,
       .log = "a write has run for 1.0 s with the next batch full: pausing consumption"},
      {.name = "ASlowWriteWithRoomInTheBatchDoesNotPause",
       .events = {{ms(0), ev::Started{}}, {ms(5000), ev::Tick{false}}},
       .phase = WritePhase::kWriting},
      {.name = "TheEndOfASlowWriteResumes",
       .events = {{ms(0), ev::Started{}}, {ms(1000), ev::Tick{true}}, {ms(1500), ev::Done{}}},
       .pause = false,
       .commit = CommitMode::kAsync},
      {.name = "ARevokeDuringASlowWriteKeepsThePause",
       .events = {{ms(0), ev::Started{}},
                  {ms(1000), ev::Tick{true}},
                  {ms(1100), ev::RevokeStarted{}}},
       .phase = WritePhase::kRevoking,
       .paused = true},
      {.name = "AWriterBusyPastTheLimitIsUnhealthy",
       .events = {{ms(0), ev::Started{}}, {ms(30'000), ev::Tick{}}},
       .phase = WritePhase::kWriting,
       .problem = "database writer busy for 30 s: a write has not finished (statement_timeout "
                  "5000 ms, lock_timeout 2000 ms bound it"},
      {.name = "AFinishedWriteClearsTheBusyText",
       .events = {{ms(0), ev::Started{}}, {ms(30'000), ev::Tick{}}, {ms(31'000), ev::Done{}}},
       .commit = CommitMode::kAsync},
  };
  // Ten failures 20 s apart: 200, 400, ... capped at max_retry.
  Case capped{.name = "BackoffIsCappedAtMaxRetry",
              .phase = WritePhase::kHeldForBackoff,
              .paused = true,
              .hold = true,
              .problem = "database unavailable",
              .log = "still failing after 10 attempts, next in 10000 ms",
              .retry_in = ms(10'000)};
  for (int i = 0; i < 10; ++i) capped.events.push_back({ms(i * 20'000), ev::Failed{outage()}});
  all.push_back(std::move(capped));
  return all;
}

// gtest prints a failing case by its name, not its bytes (it looks this name up).
// NOLINTNEXTLINE(readability-identifier-naming)
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

class WriteStateTable : public testing::TestWithParam<Case> {};

TEST_P(WriteStateTable, Transition) {
  const Case& c = GetParam();
  const WriteSettings s = settings();
  WriteState state;
  WriteActions last;
  WriteTime last_at = kStart;
  for (const Timed& timed : c.events) {
    last_at = kStart + timed.at;
    WriteStep step = next_write_state(state, timed.event, last_at, s);
    state = std::move(step.state);
    last = std::move(step.actions);
  }
  EXPECT_EQ(write_phase_name(write_phase(state)), write_phase_name(c.phase));
  EXPECT_EQ(last.pause, c.pause);
  EXPECT_EQ(state.paused, c.paused);
  EXPECT_EQ(last.commit, c.commit);
  EXPECT_EQ(last.hold_batch, c.hold);
  EXPECT_EQ(last.database_up, c.database_up);
  if (c.problem.empty()) {
    EXPECT_FALSE(state.problem.has_value()) << *state.problem;
  } else {
    ASSERT_TRUE(state.problem.has_value());
    EXPECT_NE(state.problem->find(c.problem), std::string::npos) << *state.problem;
  }
  if (c.log.empty()) {
    EXPECT_TRUE(last.logs.empty()) << last.logs.front().text;
  } else {
    ASSERT_FALSE(last.logs.empty());
    EXPECT_NE(last.logs.back().text.find(c.log), std::string::npos) << last.logs.back().text;
  }
  if (c.retry_in) {
    ASSERT_TRUE(state.retry_at.has_value());
    EXPECT_EQ(std::chrono::duration_cast<milliseconds>(*state.retry_at - last_at), *c.retry_in);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, WriteStateTable, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// The problem text is published only when it changes: the loop sets /healthz from it.
TEST(WriteState, ProblemChangeIsReportedOnce) {
  const WriteSettings s = settings();
  auto step = next_write_state({}, ev::Failed{outage()}, kStart, s);
  EXPECT_TRUE(step.actions.problem_changed);
  step = next_write_state(step.state, ev::Failed{outage()}, kStart + milliseconds(200), s);
  EXPECT_FALSE(step.actions.problem_changed);
  step = next_write_state(step.state, ev::Done{}, kStart + milliseconds(600), s);
  EXPECT_TRUE(step.actions.problem_changed);
  EXPECT_FALSE(step.state.problem.has_value());
}

// A pause or resume is asked for only when the wanted state changes.
TEST(WriteState, PauseIsAskedOnlyOnChange) {
  const WriteSettings s = settings();
  auto step = next_write_state({}, ev::Failed{outage()}, kStart, s);
  EXPECT_EQ(step.actions.pause, std::optional<bool>(true));
  step = next_write_state(step.state, ev::Tick{}, kStart + milliseconds(100), s);
  EXPECT_FALSE(step.actions.pause.has_value());
}

}  // namespace
}  // namespace hc::consumer
