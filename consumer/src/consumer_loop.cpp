#include "consumer_loop.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <thread>
#include <tuple>

#include "hc/common/url_redaction.h"
#include "hc/consumer/record_decoder.h"
#include "hc/store/row_fate.h"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMaxPollWait{100};
constexpr std::size_t kMaxPollMessages = 2000;
// Decoding threads (the loop's own included). Two: this machine class has two cores,
// and PostgreSQL needs its share while we decode.
constexpr unsigned kDecodeThreads = 2;
// A written batch waits this long for its dead letters at a time; if they are still
// pending, the partitions pause (nothing more is read into memory) and the loop goes on
// serving the group until they are delivered.
constexpr milliseconds kDeadLetterWait{500};
// While a write is in flight, poll in short slices so its completion is noticed at once.
constexpr milliseconds kPollWhileWriting{5};
// With the next batch full, the loop waits for the writer without polling (the prefetch
// queue holds the rest); a write that runs long pauses the partitions instead
// (WriteSettings::pause_for_slow_write_after), so polling, and with it the group
// membership, goes on.
// A rebalance waits this long for the write in flight before giving its batch up.
constexpr milliseconds kRevokeWait{10'000};
// From a stop request to run()'s return, whatever is pending: uncommitted messages are
// simply read again by the next owner. Of it, kCloseReserve is kept for leaving the group.
constexpr std::chrono::seconds kShutdownBudget{10};
constexpr milliseconds kCloseReserve{4'000};
constexpr milliseconds kDeadLetterTopicCheck{5'000};
constexpr std::chrono::seconds kSummaryInterval{10};
// While Kafka is unreachable, how often the loop asks a broker whether it is back, and how
// long it waits for the answer (the loop polls nothing meanwhile).
constexpr std::chrono::seconds kBrokerProbeInterval{2};
constexpr std::chrono::milliseconds kBrokerProbeTimeout{500};
// Refused rows are logged again at this interval while they go on (with their count since
// the last line); so is a table that refuses writes (WriteSettings).
constexpr std::chrono::seconds kRepeatErrorLogEvery{60};

std::vector<std::string> table_labels(const Router& router) {
  std::vector<std::string> labels;
  for (const auto& sink : router.sinks()) {
    labels.push_back(fmt::format("{} {}",
                                 redact_connection_uri(router.database_uris()[sink.database]),
                                 router.table(sink).name));
  }
  return labels;
}

std::size_t class_index(DbErrorClass error_class) { return static_cast<std::size_t>(error_class); }

// A measurement too far after the consumer's clock for any table to make a partition for it
// (partition_layout.h): refused like a poison message, so hostile times cannot create
// partitions without bound.
std::optional<Poison> refuse_far_future(const Measurement& row, WallTime now) {
  if (row_fate(row.measured_at, now, 0) != RowFate::kTooFarAhead) return std::nullopt;
  return Poison{
      "future_time",
      fmt::format("measurement_time {} is more than {} days after the consumer's clock "
                  "({}); no partition is made that far ahead",
                  format_timestamp(row.measured_at), kFutureLimit.count(), format_timestamp(now))};
}

}  // namespace

ConsumerLoop::ConsumerLoop(const ConsumerConfig& config, StopControl& control, ConsumerParts parts)
    : config_(config),
      control_(control),
      clock_(std::move(parts.clock)),
      router_(config.topics),
      stats_(table_labels(router_)),
      reporter_(stats_, kSummaryInterval),
      batch_(router_.sinks().size(), config.batch_max_rows, config.batch_max_wait) {
  dead_letters_ = parts.make_dead_letters(stats_);
  group_ = parts.make_group(router_.source_topics(), *this);
  group_->set_commit_failure_handler(
      [this](rd_kafka_resp_err_t error) { on_commit_failed(error); });
  group_->set_error_handler([this](rd_kafka_resp_err_t error, const std::string& reason) {
    on_kafka_error(error, reason);
  });
  control_.add_waker(group_->waker());
  writer_ = std::make_unique<BatchWriter>(router_, stats_, parts.make_row_sink,
                                          config.connections_per_database, group_->waker());
  write_settings_.writer_busy_unhealthy_after = config.writer_busy_unhealthy_after;
  write_settings_.statement_timeout = config.session.statement_timeout;
  write_settings_.lock_timeout = config.session.lock_timeout;
  write_settings_.repeat_error_log_every = kRepeatErrorLogEvery;
  for (std::size_t database = 0; database < router_.database_uris().size(); ++database) {
    write_settings_.database_names.push_back(writer_->database_name(database));
  }
  next_summary_ = clock_->now() + kSummaryInterval;
  std::vector<std::string> dead_letter_topics;
  for (const auto& topic : router_.source_topics()) {
    dead_letter_topics.push_back(router_.dead_letter_topic(topic));
  }
  dead_letters_->check_topics(dead_letter_topics, kDeadLetterTopicCheck);
}

ConsumerLoop::~ConsumerLoop() {
  apply(write_event::Closing{}, clock_->now());
  group_->close();  // on_revoking runs now, while the writer still exists
}

int ConsumerLoop::run() {
  const std::size_t tables = router_.sinks().size();
  const std::size_t databases = router_.database_uris().size();
  spdlog::info("consumer started: group {}, topics {}, {} table{} in {} database{}",
               config_.group_id, fmt::join(router_.source_topics(), ", "), tables,
               tables == 1 ? "" : "s", databases, databases == 1 ? "" : "s");
  while (!control_.stop_requested()) step();
  apply(write_event::StopRequested{}, clock_->now());

  spdlog::info("stopping: writing the {} messages in hand",
               batch_.message_count() + (held_ ? held_->batch.message_count() : 0));
  // Real time bounds the shutdown; the injected clock decides when a retry is due.
  auto give_up_at = std::chrono::steady_clock::now() + kShutdownBudget - kCloseReserve;
  while (std::chrono::steady_clock::now() < give_up_at) {
    collect_write(kMaxPollWait);
    if (writer_->busy()) continue;
    if (!held_ && batch_.empty()) break;
    auto now = clock_->now();
    if ((held_ || write_state_.failing) && now < retry_at()) {
      std::this_thread::sleep_for(
          std::min(std::chrono::duration_cast<milliseconds>(retry_at() - now), kMaxPollWait));
      continue;
    }
    start_next_write(now, /*flush_all=*/true);
  }
  apply(write_event::Closing{}, clock_->now());
  group_->close();           // on_revoking drops whatever is still unwritten
  dead_letters_->abandon();  // their offsets were not committed: sent again after a restart
  spdlog::info("consumer stopped: {} messages consumed, {} rows written, {} dead letters",
               stats_.messages_consumed.load(), stats_.total_rows_written(),
               stats_.total_dead_letters());
  return 0;
}

void ConsumerLoop::step() {
  collect_write(milliseconds(0));
  auto now = clock_->now();
  start_next_write(now, /*flush_all=*/false);
  apply(write_event::Tick{batch_.message_count() >= config_.batch_max_rows}, now);
  if (writer_->busy() && batch_.message_count() >= config_.batch_max_rows && !group_->paused()) {
    // The next batch is full while this one is still being written: wait for the
    // writer instead of reading further (the prefetch queue holds the rest).
    collect_write(kMaxPollWait);
    return;
  }
  auto wake_at =
      std::min(batch_.deadline(), held_ || write_state_.failing ? retry_at() : TimePoint::max());
  auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(wake_at - now), milliseconds(0),
                         writer_->busy() ? kPollWhileWriting : kMaxPollWait);
  // No more than the batch has room for: a batch then never outgrows its reserved capacity.
  const std::size_t room = config_.batch_max_rows > batch_.message_count()
                               ? config_.batch_max_rows - batch_.message_count()
                               : 1;
  handle(group_->poll_batch(wait, std::min(kMaxPollMessages, room)));
  dead_letters_->poll();
  probe_brokers(now);
  if (now >= next_summary_) {
    stats_.lag_messages.store(group_->lag(), std::memory_order_relaxed);
    reporter_.maybe_report(now);
    next_summary_ = now + kSummaryInterval;
  }
}

PendingBatch ConsumerLoop::take_batch() {
  PendingBatch pending{std::move(batch_), {}, generation_, {}};
  if (spare_) {
    batch_ = std::move(*spare_);
    spare_.reset();
  } else {
    batch_ = Batch(router_.sinks().size(), config_.batch_max_rows, config_.batch_max_wait);
  }
  return pending;
}

void ConsumerLoop::recycle(Batch written) {
  written.clear();
  spare_ = std::move(written);
}

void ConsumerLoop::start_write(PendingBatch pending, TimePoint now) {
  apply(write_event::Started{}, now);
  writer_->start(std::move(pending));
}

void ConsumerLoop::start_next_write(TimePoint now, bool flush_all) {
  if (writer_->busy()) return;
  if (held_) {
    if (now >= retry_at()) {
      start_write(std::move(*held_), now);
      held_.reset();
    }
  } else if (write_state_.failing) {
    // Nothing held (it was dropped at a rebalance): ask the databases whether they are back.
    if (now >= retry_at()) {
      start_write(
          PendingBatch{Batch(router_.sinks().size(), 1, milliseconds(0)), {}, generation_, {}},
          now);
    }
  } else if (batch_.due(now) || (flush_all && !batch_.empty())) {
    start_write(take_batch(), now);
  }
}

void ConsumerLoop::collect_write(milliseconds timeout) {
  auto done = writer_->finish(timeout);
  if (!done) return;
  auto& [pending, result] = *done;
  if (pending.generation != generation_) {
    // Read under an assignment that was revoked since: those partitions belong to
    // someone else now, who re-reads whatever we did not commit.
    apply(write_event::Stale{}, clock_->now());
    return;
  }
  if (!result.ok) {
    stats_.database_errors[class_index(result.error_class)].fetch_add(1, std::memory_order_relaxed);
    apply(write_event::Failed{{result.failed_database, result.error_class, result.error,
                               result.sqlstate}},
          clock_->now());
    // Rows refused by databases already written stay with the batch: they are
    // dead-lettered once the whole batch is written.
    if (!pending.batch.empty()) held_ = std::move(pending);
    return;
  }
  const bool probe = pending.batch.empty();  // a probe while failing: the databases answer
  std::size_t letters_pending = 0;
  if (!probe) {
    dead_letter_refused_rows(std::move(pending.rejected));
    pending.rejected.clear();
    if (dead_letters_->pending() > 0 && !dead_letters_->flush(kDeadLetterWait)) {
      letters_pending = dead_letters_->pending();
    }
  }
  // After the dead letters' wait: a held batch's retry counts from now.
  const auto now = clock_->now();
  if (control_.stop_requested() && !write_state_.stopping) {
    apply(write_event::StopRequested{}, now);
  }
  const WriteActions actions = apply(write_event::Done{probe, letters_pending}, now);
  if (actions.hold_batch) {
    held_ = std::move(pending);
    return;
  }
  if (actions.commit != CommitMode::kNone) {
    commit(pending, actions.commit);
    recycle(std::move(pending.batch));
  }
}

WriteActions ConsumerLoop::apply(const WriteEvent& event, TimePoint now) {
  WriteStep next = next_write_state(std::move(write_state_), event, now, write_settings_);
  write_state_ = std::move(next.state);
  for (const WriteLog& line : next.actions.logs) spdlog::log(line.level, "{}", line.text);
  if (next.actions.pause) {
    if (*next.actions.pause) {
      group_->pause();
    } else {
      group_->resume();
    }
  }
  if (next.actions.database_up) stats_.database_up.store(*next.actions.database_up);
  if (next.actions.problem_changed) stats_.set_problem(write_state_.problem);
  return std::move(next.actions);
}

void ConsumerLoop::commit(const PendingBatch& pending, CommitMode mode) {
  stats_.batches_written.fetch_add(1, std::memory_order_relaxed);
  if (mode == CommitMode::kAsync) {
    // A failure only means a harmless replay (see on_commit_failed).
    group_->commit_async(pending.batch.offsets());
    stats_.commits.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Stopping, or the partitions are going away: the commit must land before they do.
  auto started = std::chrono::steady_clock::now();
  rd_kafka_resp_err_t error = group_->commit(pending.batch.offsets());
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    on_commit_failed(error);
  } else {
    stats_.commits.fetch_add(1, std::memory_order_relaxed);
    stats_.commit_latency_us_total.fetch_add(latency.count(), std::memory_order_relaxed);
  }
}

void ConsumerLoop::dead_letter_refused_rows(std::vector<RejectedRow> rejected) {
  if (rejected.empty()) return;
  // One letter per message, even if several of its tables refused it.
  std::set<std::tuple<std::uint32_t, std::int32_t, std::int64_t>> lettered;
  std::size_t letters = 0;
  for (RejectedRow& refused : rejected) {
    if (!lettered.emplace(refused.origin.topic, refused.origin.partition, refused.origin.offset)
             .second) {
      continue;
    }
    const TableSink& sink = router_.sinks().at(refused.sink);
    const std::string& table = router_.table(sink).name;
    const std::string& source_topic = router_.source_topics().at(refused.origin.topic);
    DeadLetter letter;
    letter.topic = router_.dead_letter_topic(source_topic);
    letter.key = row_url(refused.row);  // the decoder checked that the key is the URL
    letter.value = encode_row(refused.row);
    letter.reason = "db_rejected";
    letter.detail = fmt::format("table {} in database {} refused the row: {}", table,
                                writer_->database_name(sink.database), refused.message);
    letter.source_topic = source_topic;
    letter.source_partition = refused.origin.partition;
    letter.source_offset = refused.origin.offset;
    letter.extra_headers = {{"hc-dlq-sqlstate", refused.sqlstate}, {"hc-dlq-table", table}};
    dead_letters_->send(std::move(letter));
    ++letters;
  }
  stats_.database_errors[class_index(DbErrorClass::kRowData)].fetch_add(letters,
                                                                        std::memory_order_relaxed);
  refused_rows_unlogged_ += letters;
  const auto now = clock_->now();
  if (refused_rows_logged_at_ == TimePoint{} ||
      now - refused_rows_logged_at_ >= kRepeatErrorLogEvery) {
    const RejectedRow& first = rejected.front();
    spdlog::warn(
        "the database refused {} rows{} (e.g. SQLSTATE {}: {}); they went to the dead-letter "
        "topic with reason db_rejected, the other rows were written",
        refused_rows_unlogged_, refused_rows_logged_at_ == TimePoint{} ? "" : " in the last minute",
        first.sqlstate, first.message);
    refused_rows_logged_at_ = now;
    refused_rows_unlogged_ = 0;
  }
}

void ConsumerLoop::on_commit_failed(rd_kafka_resp_err_t error) {
  // The rows are written; only the bookkeeping failed (typically a rebalance). The
  // messages will be read again and upserted again, which changes nothing.
  stats_.commit_failures.fetch_add(1, std::memory_order_relaxed);
  // A coordinator that is away fails every commit in flight and each one after it (about
  // one per batch): one line per kind of failure a minute, with the count of the others.
  const auto now = clock_->now();
  if (error == commit_failure_logged_ && now - commit_failure_logged_at_ < kRepeatErrorLogEvery) {
    ++commit_failures_unlogged_;
    return;
  }
  spdlog::warn(
      "committing offsets failed: {}{}; the messages since the last commit will be "
      "re-read after a restart or rebalance (harmless: upserts)",
      rd_kafka_err2str(error),
      commit_failures_unlogged_ == 0
          ? std::string()
          : fmt::format(" ({} more failed commits since the last such line)",
                        commit_failures_unlogged_));
  commit_failure_logged_ = error;
  commit_failure_logged_at_ = now;
  commit_failures_unlogged_ = 0;
}

void ConsumerLoop::drop_uncommitted(const char* why) {
  std::size_t messages = batch_.message_count() + (held_ ? held_->batch.message_count() : 0);
  if (messages > 0) {
    spdlog::info(
        "dropping {} uncommitted messages ({}): the partitions' next owner re-reads them from "
        "the last commit, and rows already written are upserted again unchanged",
        messages, why);
  }
  held_.reset();
  batch_.clear();
}

void ConsumerLoop::log_poll_error(const PolledRecord& record) {
  std::string text(record.error_text);
  if (text == last_poll_error_) return;  // once per distinct error, not once per poll
  spdlog::warn("consumer: {}{}", text,
               record.topic.empty() ? std::string() : fmt::format(" (topic {})", record.topic));
  last_poll_error_ = std::move(text);
}

void ConsumerLoop::handle(const PolledBatch& polled) {
  if (polled.records.empty()) return;
  std::vector<RecordView> views;
  views.reserve(polled.records.size());
  for (const auto& record : polled.records) {
    views.push_back(record.error != RD_KAFKA_RESP_ERR_NO_ERROR
                        ? RecordView{}
                        : RecordView{record.key, record.key_bytes, record.value, record.value_bytes,
                                     router_.kind_of(record.topic)});
  }
  auto decoded = decode_records(views, config_.max_message_bytes, kDecodeThreads);
  // Applied in poll order, so a replayed key keeps the value of its latest offset.
  auto now = clock_->now();
  const WallTime wall_now = clock_->wall_now();
  const auto& topics = router_.source_topics();
  std::vector<std::size_t> sinks;  // a message's tables: reused, so no allocation per message
  for (std::size_t i = 0; i < polled.records.size(); ++i) {
    const PolledRecord& record = polled.records[i];
    if (record.error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (record.error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        stats_.kafka_reachable.store(false, std::memory_order_relaxed);
      }
      if (record.error != RD_KAFKA_RESP_ERR__PARTITION_EOF) log_poll_error(record);
      continue;
    }
    stats_.messages_consumed.fetch_add(1, std::memory_order_relaxed);
    std::string topic(record.topic);
    auto* poison = std::get_if<Poison>(&decoded[i]);
    std::optional<Poison> too_far_ahead;
    if (poison == nullptr) {
      // Events tables are not partitioned: only measurements have a bound on their time.
      if (const auto* measurement = std::get_if<Measurement>(&std::get<Row>(decoded[i]))) {
        too_far_ahead = refuse_far_future(*measurement, wall_now);
        if (too_far_ahead) poison = &*too_far_ahead;
      }
    }
    if (poison != nullptr) {
      DeadLetter letter;
      letter.topic = router_.dead_letter_topic(topic);
      if (record.key != nullptr) {
        letter.key.assign(static_cast<const char*>(record.key), record.key_bytes);
      }
      if (record.value != nullptr) {
        letter.value.assign(static_cast<const char*>(record.value), record.value_bytes);
      }
      letter.reason = std::move(poison->reason);
      letter.detail = std::move(poison->detail);
      letter.source_topic = topic;
      letter.source_partition = record.partition;
      letter.source_offset = record.offset;
      dead_letters_->send(std::move(letter));
    } else {
      const RowOrigin origin{
          static_cast<std::uint32_t>(std::ranges::find(topics, topic) - topics.begin()),
          record.partition, record.offset};
      auto& row = std::get<Row>(decoded[i]);
      // Tables whose retention the row is older than count it instead (not written); the
      // router made every table of a topic the topic's kind.
      sinks.clear();
      for (const std::size_t sink : router_.sinks_for(topic)) {
        if (row_fate(row_time(row), wall_now,
                     router_.table(router_.sinks()[sink]).retention_days) == RowFate::kExpired) {
          stats_.rows_expired(sink).fetch_add(1, std::memory_order_relaxed);
        } else {
          sinks.push_back(sink);
        }
      }
      // Every sink but the last gets a copy; the last one takes the row.
      for (std::size_t s = 0; s + 1 < sinks.size(); ++s) batch_.table(sinks[s]).add(row, origin);
      if (!sinks.empty()) batch_.table(sinks.back()).add(std::move(row), origin);
    }
    batch_.add_message(topic, record.partition, record.offset, now);
  }
}

void ConsumerLoop::on_kafka_error(rd_kafka_resp_err_t error, const std::string& reason) {
  if (error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    stats_.kafka_reachable.store(false, std::memory_order_relaxed);
  }
  std::string text = fmt::format("{}: {}", rd_kafka_err2name(error), reason);
  if (text == last_poll_error_) return;  // once per distinct error, not once per retry
  if (std::string line = stats_.kafka_settings.note(error, reason); !line.empty()) {
    spdlog::error("consumer: {} (healthcheck-consumer-config)", line);
    last_poll_error_ = std::move(text);
    return;
  }
  spdlog::warn("consumer: Kafka: {}{}", text,
               error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
                   ? "; consumption waits for the brokers (offsets stay committed)"
                   : "");
  last_poll_error_ = std::move(text);
}

void ConsumerLoop::probe_brokers(TimePoint now) {
  if (stats_.kafka_reachable.load(std::memory_order_relaxed) || now < next_broker_probe_) return;
  next_broker_probe_ = now + kBrokerProbeInterval;
  if (group_->brokers_answer(kBrokerProbeTimeout)) {
    last_poll_error_.clear();
    stats_.kafka_settings.clear();
    stats_.kafka_reachable.store(true, std::memory_order_relaxed);
    spdlog::info("consumer: Kafka: a broker answers again");
  }
}

void ConsumerLoop::on_assigned(const rd_kafka_topic_partition_list_t&) {
  last_poll_error_.clear();
  stats_.kafka_settings.clear();
  stats_.kafka_reachable.store(true, std::memory_order_relaxed);  // the group answered
}

void ConsumerLoop::on_revoking(const rd_kafka_topic_partition_list_t&) {
  // Eager rebalancing revokes every partition, so everything in hand belongs to
  // partitions that are going away. If the databases are up we finish it and commit
  // (one or two batch writes, well inside the rebalance timeout), which spares the next
  // owner the replay. If they are down, or we are closing after failing to write, we
  // must not block the rebalance: we drop the uncommitted part. Nothing is lost, because
  // its offsets were never committed: the new owner reads those messages again, and the
  // upsert makes any row we did write an unchanged overwrite. (Dead letters sent for
  // dropped messages may be sent again by the new owner: that topic is at-least-once.)
  apply(write_event::RevokeStarted{}, clock_->now());
  // Real time, not the injected clock: this bounds how long the rebalance is blocked.
  auto give_up_at = std::chrono::steady_clock::now() + kRevokeWait;
  while (!write_state_.closing && !write_state_.failing &&
         std::chrono::steady_clock::now() < give_up_at) {
    collect_write(kMaxPollWait);
    if (writer_->busy()) continue;
    if (held_ || batch_.empty()) break;
    start_next_write(clock_->now(), /*flush_all=*/true);
  }
  drop_uncommitted(write_state_.closing ? "leaving the group" : "partitions revoked");
  // A write still in flight (a hung database) finishes later; its result is ignored.
  ++generation_;
  apply(write_event::RevokeEnded{}, clock_->now());
}

}  // namespace hc::consumer
