#include "write_state.h"

#include <fmt/format.h>

#include <algorithm>

namespace hc::consumer {
namespace {

double seconds_between(WriteTime since, WriteTime now) {
  return std::chrono::duration<double>(now - since).count();
}

std::string database_name(const WriteSettings& settings, std::size_t database) {
  if (database < settings.database_names.size()) return settings.database_names[database];
  return fmt::format("#{}", database);
}

// The /healthz text of a state, or none when healthy.
std::optional<std::string> health_text(const WriteState& state, WriteTime now,
                                       const WriteSettings& settings) {
  if (state.writing && state.write_started_at &&
      now - *state.write_started_at >= settings.writer_busy_unhealthy_after) {
    return fmt::format(
        "database writer busy for {:.0f} s: a write has not finished (statement_timeout {} ms, "
        "lock_timeout {} ms bound it; a lock held on the table is the usual cause)",
        seconds_between(*state.write_started_at, now), settings.statement_timeout.count(),
        settings.lock_timeout.count());
  }
  if (!state.failing) return std::nullopt;
  const WriteFailure& failure = state.failing->failure;
  switch (failure.error_class) {
    case DbErrorClass::kDefinition:
      return fmt::format(
          "database refuses writes: {} (SQLSTATE {}); consumption paused until the table is "
          "fixed",
          failure.error, failure.sqlstate);
    case DbErrorClass::kBusy:
      return fmt::format("database busy: {}; consumption paused, retrying", failure.error);
    default:
      return fmt::format("database unavailable: {}; consumption paused, retrying", failure.error);
  }
}

std::string failure_line(const WriteFailure& failure, const WriteSettings& settings) {
  const auto first = settings.first_retry.count();
  const auto max_s = settings.max_retry.count() / 1000;
  switch (failure.error_class) {
    case DbErrorClass::kDefinition:
      return fmt::format(
          "database refuses the batch, not because of its rows: {} (SQLSTATE {}); the table "
          "needs fixing: consumption paused, no offset committed past unwritten rows, "
          "retrying up to every {} s; this repeats every minute until it is fixed",
          failure.error, failure.sqlstate, max_s);
    case DbErrorClass::kBusy:
      return fmt::format(
          "database busy: {} (statement_timeout {} ms / lock_timeout {} ms); pausing "
          "consumption, retrying every {} ms .. {} s, committing nothing until written",
          failure.error, settings.statement_timeout.count(), settings.lock_timeout.count(), first,
          max_s);
    default:
      return fmt::format(
          "database unavailable: {}; pausing consumption, retrying every {} ms .. {} s, "
          "committing nothing until written",
          failure.error, first, max_s);
  }
}

// Paused while failing, while a written batch waits for its dead letters, and while a long
// write holds a full next batch back; then the /healthz text. Runs after every event.
void reconcile(WriteState& state, WriteActions& actions, WriteTime now,
               const WriteSettings& settings) {
  const bool slow_write = state.writing && state.write_started_at &&
                          now - *state.write_started_at >= settings.pause_for_slow_write_after &&
                          state.next_batch_full;
  const bool want_paused =
      state.failing.has_value() || state.waiting_for_dead_letters || slow_write;
  if (want_paused != state.paused) {
    if (want_paused && slow_write && !state.failing) {
      actions.logs.push_back(
          {spdlog::level::info,
           fmt::format("a write has run for {:.1f} s with the next batch full: pausing "
                       "consumption until it ends (the group membership is kept)",
                       seconds_between(*state.write_started_at, now))});
    }
    state.paused = want_paused;
    actions.pause = want_paused;
  }
  auto problem = health_text(state, now, settings);
  if (problem != state.problem) {
    state.problem = std::move(problem);
    actions.problem_changed = true;
  }
}

void fail(WriteState& state, WriteActions& actions, const WriteFailure& failure, WriteTime now,
          const WriteSettings& settings) {
  const bool first = !state.failing;
  const bool changed = first || state.failing->failure.database != failure.database ||
                       state.failing->failure.error_class != failure.error_class;
  if (first) {
    state.failing = Failing{failure, now, now, settings.first_retry, 1};
    actions.database_up = false;
  } else {
    ++state.failing->attempts;
    state.failing->backoff = std::min(state.failing->backoff * 2, settings.max_retry);
    state.failing->failure = failure;
  }
  state.retry_at = now + state.failing->backoff;
  actions.hold_batch = true;
  const bool repeat_due = failure.error_class == DbErrorClass::kDefinition &&
                          now - state.failing->logged_at >= settings.repeat_error_log_every;
  if (changed || repeat_due) {
    state.failing->logged_at = now;
    actions.logs.push_back({spdlog::level::err, failure_line(failure, settings)});
  } else {
    actions.logs.push_back(
        {spdlog::level::debug,
         fmt::format("still failing after {} attempts, next in {} ms: {}", state.failing->attempts,
                     state.failing->backoff.count(), failure.error)});
  }
}

void recover(WriteState& state, WriteActions& actions, WriteTime now,
             const WriteSettings& settings) {
  if (!state.failing) return;
  actions.logs.push_back(
      {spdlog::level::info,
       fmt::format("database {} is back after {:.1f} s ({} failed attempt{}); resuming consumption",
                   database_name(settings, state.failing->failure.database),
                   seconds_between(state.failing->since, now), state.failing->attempts,
                   state.failing->attempts == 1 ? "" : "s")});
  state.failing.reset();
  actions.database_up = true;
}

void written(WriteState& state, WriteActions& actions, const write_event::Done& done, WriteTime now,
             const WriteSettings& settings) {
  if (done.probe) {  // an empty batch written while failing: the databases answer again
    recover(state, actions, now, settings);
    return;
  }
  // The dead letters must be durable before the offsets of their messages are committed;
  // every database has the batch, so the retry rewrites (upserts) it and commits.
  if (done.dead_letters_pending > 0) {
    actions.hold_batch = true;
    state.retry_at = now + settings.first_retry;
    if (!state.waiting_for_dead_letters) {
      actions.logs.push_back(
          {spdlog::level::warn,
           fmt::format("{} dead letters not yet acknowledged; pausing consumption and holding "
                       "the batch's offsets until they are",
                       done.dead_letters_pending)});
      state.waiting_for_dead_letters = true;
    }
    return;
  }
  if (state.waiting_for_dead_letters) {
    actions.logs.push_back({spdlog::level::info, "dead letters delivered; resuming consumption"});
    state.waiting_for_dead_letters = false;
  }
  // Asynchronous in the steady state (a commit round trip per batch would stall reading;
  // ordered by librdkafka). Stopping, or the partitions going away: it must land first.
  actions.commit =
      state.stopping || state.revoking || state.closing ? CommitMode::kSync : CommitMode::kAsync;
  recover(state, actions, now, settings);
}

void write_ended(WriteState& state) {
  state.writing = false;
  state.write_started_at.reset();
}

}  // namespace

std::string_view write_phase_name(WritePhase phase) {
  switch (phase) {
    case WritePhase::kIdle:
      return "idle";
    case WritePhase::kWriting:
      return "writing";
    case WritePhase::kHeldForBackoff:
      return "held for backoff";
    case WritePhase::kWaitingForDeadLetters:
      return "waiting for dead letters";
    case WritePhase::kRevoking:
      return "revoking";
    case WritePhase::kClosing:
      return "closing";
  }
  return "unknown";
}

WritePhase write_phase(const WriteState& state) {
  if (state.closing) return WritePhase::kClosing;
  if (state.revoking) return WritePhase::kRevoking;
  if (state.writing) return WritePhase::kWriting;
  if (state.waiting_for_dead_letters) return WritePhase::kWaitingForDeadLetters;
  if (state.failing) return WritePhase::kHeldForBackoff;
  return WritePhase::kIdle;
}

WriteStep next_write_state(WriteState state, const WriteEvent& event, WriteTime now,
                           const WriteSettings& settings) {
  WriteActions actions;
  std::visit(
      [&](const auto& happened) {
        using E = std::decay_t<decltype(happened)>;
        if constexpr (std::is_same_v<E, write_event::Started>) {
          state.writing = true;
          state.write_started_at = now;
        } else if constexpr (std::is_same_v<E, write_event::Failed>) {
          write_ended(state);
          fail(state, actions, happened.failure, now, settings);
        } else if constexpr (std::is_same_v<E, write_event::Done>) {
          write_ended(state);
          written(state, actions, happened, now, settings);
        } else if constexpr (std::is_same_v<E, write_event::Stale>) {
          write_ended(state);
        } else if constexpr (std::is_same_v<E, write_event::Tick>) {
          state.next_batch_full = happened.next_batch_full;
        } else if constexpr (std::is_same_v<E, write_event::StopRequested>) {
          state.stopping = true;
        } else if constexpr (std::is_same_v<E, write_event::RevokeStarted>) {
          state.revoking = true;
        } else if constexpr (std::is_same_v<E, write_event::RevokeEnded>) {
          state.revoking = false;
          // Nothing held waits for dead letters any more: the next owner re-reads and
          // re-sends. While closing the partitions stay as they are.
          if (!state.closing) state.waiting_for_dead_letters = false;
        } else if constexpr (std::is_same_v<E, write_event::Closing>) {
          state.closing = true;
        }
      },
      event);
  reconcile(state, actions, now, settings);
  return {std::move(state), std::move(actions)};
}

}  // namespace hc::consumer
