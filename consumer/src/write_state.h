// The consumer's write states as a pure function: (state, event, now) -> (state, actions).
//
// ConsumerLoop (consumer_loop.h) is the I/O around it: it owns the batches, the writer and
// the group, tells this function what happened (a write started, failed, finished; dead
// letters wait; a tick of the loop; a stop, a revoke, the close) and carries out what it
// answers: pause or resume the partitions, commit (asynchronously, or synchronously while
// stopping, revoking or closing), publish the /healthz text, write the log lines. Every rule
// about when consumption pauses, how retries back off, what /healthz says and how often a
// lasting failure is logged is decided here, and tested from a table of cases
// (tests/consumer/write_state_test.cpp) without Kafka, PostgreSQL or threads.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hc/store/db_error.h"

namespace hc::consumer {

using WriteTime = std::chrono::steady_clock::time_point;

struct WriteSettings {
  std::chrono::milliseconds first_retry{200};
  std::chrono::milliseconds max_retry{10'000};
  // A write running this long with the next batch full pauses the partitions, so polling
  // (and with it the group membership) goes on while the write ends.
  std::chrono::milliseconds pause_for_slow_write_after{1000};
  // /healthz reports a busy writer past this.
  std::chrono::milliseconds writer_busy_unhealthy_after{30'000};
  // Quoted in the texts: they bound how long one write may take.
  std::chrono::milliseconds statement_timeout{0};
  std::chrono::milliseconds lock_timeout{0};
  // A table that refuses writes is logged again at this interval while it lasts.
  std::chrono::seconds repeat_error_log_every{60};
  // Names of the databases (index = WriteFailure::database) for the log lines.
  std::vector<std::string> database_names;
};

// Why the databases did not take a batch (from the writer's WriteResult).
struct WriteFailure {
  std::size_t database = 0;
  DbErrorClass error_class = DbErrorClass::kOutage;
  std::string error;  // one line, no password
  std::string sqlstate;
};

// A failing write: the partitions stay paused and retries back off exponentially.
struct Failing {
  WriteFailure failure;
  WriteTime since;
  WriteTime logged_at;
  std::chrono::milliseconds backoff{0};
  std::size_t attempts = 0;
};

struct WriteState {
  bool writing = false;
  std::optional<WriteTime> write_started_at;  // while writing
  std::optional<Failing> failing;
  // A written batch whose dead letters are not yet durable: held, partitions paused.
  bool waiting_for_dead_letters = false;
  // When a held batch (or, while failing with nothing held, a probe) is written again.
  std::optional<WriteTime> retry_at;
  bool stopping = false;         // a stop was requested: the batches in hand are being written
  bool revoking = false;         // inside a revoke: commits are synchronous
  bool closing = false;          // leaving the group: nothing more is flushed at a revoke
  bool paused = false;           // what the partitions were last told
  bool next_batch_full = false;  // as of the last Tick
  std::optional<std::string> problem;  // the /healthz text last published
};

// The states the issue names, derived from WriteState (a state may hold several flags; the
// first that applies names it).
enum class WritePhase {
  kIdle,
  kWriting,
  kHeldForBackoff,
  kWaitingForDeadLetters,
  kRevoking,
  kClosing
};
std::string_view write_phase_name(WritePhase phase);
WritePhase write_phase(const WriteState& state);

namespace write_event {
struct Started {};
struct Failed {
  WriteFailure failure;
};
// Every database has the batch. `dead_letters_pending`: its refused rows' dead letters are
// not yet durable (the batch is held until they are); `probe`: it was an empty probe batch.
struct Done {
  bool probe = false;
  std::size_t dead_letters_pending = 0;
};
// The result of a write under a revoked assignment: ignored.
struct Stale {};
// A turn of the loop; `next_batch_full`: the batch being filled has reached its size.
struct Tick {
  bool next_batch_full = false;
};
struct StopRequested {};
struct RevokeStarted {};
// The revoke dropped what was uncommitted (held batch included).
struct RevokeEnded {};
struct Closing {};
}  // namespace write_event

using WriteEvent =
    std::variant<write_event::Started, write_event::Failed, write_event::Done, write_event::Stale,
                 write_event::Tick, write_event::StopRequested, write_event::RevokeStarted,
                 write_event::RevokeEnded, write_event::Closing>;

enum class CommitMode { kNone, kAsync, kSync };

struct WriteLog {
  spdlog::level::level_enum level = spdlog::level::info;
  std::string text;
};

struct WriteActions {
  std::optional<bool> pause;  // true: pause the partitions; false: resume; unset: keep
  CommitMode commit = CommitMode::kNone;
  bool hold_batch = false;          // keep the written batch to write it again at retry_at
  std::optional<bool> database_up;  // set when it changes
  bool problem_changed = false;     // publish state.problem on /healthz
  std::vector<WriteLog> logs;
};

struct WriteStep {
  WriteState state;
  WriteActions actions;
};

// The transition. Pure: the same arguments give the same result.
WriteStep next_write_state(WriteState state, const WriteEvent& event, WriteTime now,
                           const WriteSettings& settings);

}  // namespace hc::consumer
