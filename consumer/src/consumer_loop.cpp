#include "consumer_loop.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "decoder.h"
#include "pg_uri.h"

namespace hc::consumer {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstRetry{200};
constexpr milliseconds kMaxRetry{10'000};
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
// A rebalance waits this long for the write in flight before giving its batch up.
constexpr milliseconds kRevokeWait{10'000};
// From a stop request to run()'s return, whatever is pending: uncommitted messages are
// simply read again by the next owner. Of it, kCloseReserve is kept for leaving the group.
constexpr std::chrono::seconds kShutdownBudget{10};
constexpr milliseconds kCloseReserve{4'000};
constexpr milliseconds kDeadLetterTopicCheck{5'000};
constexpr std::chrono::seconds kSummaryInterval{10};

std::vector<std::string> table_labels(const Router& router) {
  std::vector<std::string> labels;
  for (const auto& sink : router.sinks()) {
    labels.push_back(fmt::format(
        "{} {}", redact_connection_uri(router.database_uris()[sink.database]), sink.table_name));
  }
  return labels;
}

double seconds_since(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

ConsumerLoop::ConsumerLoop(const ConsumerConfig& config, StopControl& control)
    : config_(config),
      control_(control),
      router_(config.topics),
      stats_(table_labels(router_)),
      reporter_(stats_, kSummaryInterval),
      batch_(router_.sinks().size(), config.batch_max_rows, config.batch_max_wait),
      dead_letters_(config.kafka, stats_) {
  group_ = std::make_unique<GroupConsumer>(config, router_.source_topics(), *this);
  group_->set_commit_failure_handler(
      [this](rd_kafka_resp_err_t error) { on_commit_failed(error); });
  group_->set_error_handler([this](rd_kafka_resp_err_t error, const std::string& reason) {
    on_kafka_error(error, reason);
  });
  control_.add_waker(group_->waker());
  writer_ = std::make_unique<BatchWriter>(router_, stats_, config.connections_per_database,
                                          group_->waker());
  std::vector<std::string> dead_letter_topics;
  for (const auto& topic : router_.source_topics()) {
    dead_letter_topics.push_back(router_.dead_letter_topic(topic));
  }
  dead_letters_.check_topics(dead_letter_topics, kDeadLetterTopicCheck);
}

ConsumerLoop::~ConsumerLoop() = default;

int ConsumerLoop::run() {
  const std::size_t tables = router_.sinks().size();
  const std::size_t databases = router_.database_uris().size();
  spdlog::info("consumer started: group {}, topics {}, {} table{} in {} database{}",
               config_.group_id, fmt::join(router_.source_topics(), ", "), tables,
               tables == 1 ? "" : "s", databases, databases == 1 ? "" : "s");
  auto next_summary = Clock::now() + kSummaryInterval;
  while (!control_.stop_requested()) {
    collect_write(milliseconds(0));
    auto now = Clock::now();
    start_next_write(now, /*flush_all=*/false);
    if (writer_->busy() && batch_.message_count() >= config_.batch_max_rows) {
      // The next batch is full while this one is still being written: wait for the
      // writer instead of reading further (the prefetch queue holds the rest).
      collect_write(kMaxPollWait);
      continue;
    }
    auto wake_at =
        std::min(batch_.deadline(), held_ || outage_ ? retry_at_ : Clock::time_point::max());
    auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(wake_at - now), milliseconds(0),
                           writer_->busy() ? kPollWhileWriting : kMaxPollWait);
    handle(group_->poll_batch(wait, kMaxPollMessages));
    dead_letters_.poll();
    if (now >= next_summary) {
      stats_.lag_messages.store(group_->lag(), std::memory_order_relaxed);
      reporter_.maybe_report(now);
      next_summary = now + kSummaryInterval;
    }
  }

  spdlog::info("stopping: writing the {} messages in hand",
               batch_.message_count() + (held_ ? held_->batch.message_count() : 0));
  auto give_up_at = Clock::now() + kShutdownBudget - kCloseReserve;
  while (Clock::now() < give_up_at) {
    collect_write(kMaxPollWait);
    if (writer_->busy()) continue;
    if (!held_ && batch_.empty()) break;
    if ((held_ || outage_) && Clock::now() < retry_at_) {
      std::this_thread::sleep_until(std::min(retry_at_, give_up_at));
      continue;
    }
    start_next_write(Clock::now(), /*flush_all=*/true);
  }
  closing_ = true;
  group_->close();          // on_revoking drops whatever is still unwritten
  dead_letters_.abandon();  // their offsets were not committed: sent again after a restart
  spdlog::info("consumer stopped: {} messages consumed, {} rows written, {} dead letters",
               stats_.messages_consumed.load(), stats_.total_rows_written(),
               stats_.total_dead_letters());
  return 0;
}

PendingBatch ConsumerLoop::take_batch() {
  PendingBatch pending{std::move(batch_), {}, generation_};
  batch_ = Batch(router_.sinks().size(), config_.batch_max_rows, config_.batch_max_wait);
  return pending;
}

void ConsumerLoop::start_next_write(Clock::time_point now, bool flush_all) {
  if (writer_->busy()) return;
  if (held_) {
    if (now >= retry_at_) {
      writer_->start(std::move(*held_));
      held_.reset();
    }
  } else if (outage_) {
    // Nothing held (it was dropped at a rebalance): ask the databases whether they are back.
    if (now >= retry_at_) {
      writer_->start(
          PendingBatch{Batch(router_.sinks().size(), 1, milliseconds(0)), {}, generation_});
    }
  } else if (batch_.due(now) || (flush_all && !batch_.empty())) {
    writer_->start(take_batch());
  }
}

void ConsumerLoop::collect_write(milliseconds timeout) {
  auto done = writer_->finish(timeout);
  if (!done) return;
  auto& [pending, result] = *done;
  if (pending.generation != generation_) {
    // Read under an assignment that was revoked since: those partitions belong to
    // someone else now, who re-reads whatever we did not commit.
    return;
  }
  if (!result.ok) {
    enter_outage(result.failed_database, result.error);
    if (!pending.batch.empty()) held_ = std::move(pending);
    return;
  }
  if (pending.batch.empty()) {  // a probe during an outage: the databases answer again
    if (outage_) leave_outage();
    return;
  }
  // The dead letters must be durable before the offsets of their messages are committed.
  if (dead_letters_.pending() > 0 && !dead_letters_.flush(kDeadLetterWait)) {
    held_ = std::move(pending);  // every database has it: a retry rewrites (upserts) and commits
    retry_at_ = Clock::now() + kFirstRetry;
    if (!dead_letters_blocked_) {
      spdlog::warn(
          "{} dead letters not yet acknowledged; pausing consumption and holding the batch's "
          "offsets until they are",
          dead_letters_.pending());
      dead_letters_blocked_ = true;
      update_pause();
    }
    return;
  }
  if (dead_letters_blocked_) {
    spdlog::info("dead letters delivered; resuming consumption");
    dead_letters_blocked_ = false;
    update_pause();
  }
  stats_.batches_written.fetch_add(1, std::memory_order_relaxed);
  if (!closing_ && !revoking_ && !control_.stop_requested()) {
    // Asynchronous: a commit round trip per batch would stall reading. Ordered by
    // librdkafka; a failure only means a harmless replay (see on_commit_failed).
    group_->commit_async(pending.batch.offsets());
    stats_.commits.fetch_add(1, std::memory_order_relaxed);
  } else {
    // Stopping, or the partitions are going away: the commit must land before they do.
    auto started = Clock::now();
    rd_kafka_resp_err_t error = group_->commit(pending.batch.offsets());
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      on_commit_failed(error);
    } else {
      stats_.commits.fetch_add(1, std::memory_order_relaxed);
      stats_.commit_latency_us_total.fetch_add(latency.count(), std::memory_order_relaxed);
    }
  }
  if (outage_) leave_outage();
}

void ConsumerLoop::on_commit_failed(rd_kafka_resp_err_t error) {
  // The rows are written; only the bookkeeping failed (typically a rebalance). The
  // messages will be read again and upserted again, which changes nothing.
  stats_.commit_failures.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn(
      "committing offsets failed: {}; the messages since the last commit will be "
      "re-read after a restart or rebalance (harmless: upserts)",
      rd_kafka_err2str(error));
}

void ConsumerLoop::enter_outage(std::size_t database, const std::string& error) {
  auto now = Clock::now();
  if (!outage_) {
    outage_ = Outage{database, now, kFirstRetry, 1};
    retry_at_ = now + kFirstRetry;
    stats_.database_up.store(false);
    spdlog::error(
        "database unavailable: {}; pausing consumption, retrying every {} ms .. {} s, "
        "committing nothing until written",
        error, kFirstRetry.count(), kMaxRetry.count() / 1000);
    update_pause();
    return;
  }
  if (database != outage_->database) {
    spdlog::error("database unavailable: {}", error);
    outage_->database = database;
  }
  ++outage_->attempts;
  outage_->backoff = std::min(outage_->backoff * 2, kMaxRetry);
  retry_at_ = now + outage_->backoff;
  spdlog::debug("still unavailable after {} attempts, next in {} ms: {}", outage_->attempts,
                outage_->backoff.count(), error);
}

void ConsumerLoop::leave_outage() {
  spdlog::info("database {} is back after {:.1f} s ({} attempts); resuming consumption",
               writer_->database_name(outage_->database), seconds_since(outage_->since),
               outage_->attempts);
  outage_.reset();
  stats_.database_up.store(true);
  update_pause();
}

void ConsumerLoop::update_pause() {
  const bool pause = outage_.has_value() || dead_letters_blocked_;
  if (pause == group_->paused()) return;
  if (pause) {
    group_->pause();
  } else {
    group_->resume();
  }
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
  // Nothing held waits for dead letters any more (the next owner re-reads and re-sends).
  if (dead_letters_blocked_ && !closing_) {
    dead_letters_blocked_ = false;
    update_pause();
  }
}

void ConsumerLoop::log_poll_error(const rd_kafka_message_t& message) {
  std::string text = rd_kafka_message_errstr(&message);
  if (text == last_poll_error_) return;  // once per distinct error, not once per poll
  spdlog::warn(
      "consumer: {}{}", text,
      message.rkt ? fmt::format(" (topic {})", rd_kafka_topic_name(message.rkt)) : std::string());
  last_poll_error_ = std::move(text);
}

void ConsumerLoop::handle(std::vector<KafkaMessage> messages) {
  if (messages.empty()) return;
  std::vector<RecordView> records;
  records.reserve(messages.size());
  for (const auto& message : messages) {
    records.push_back(
        message->err ? RecordView{}
                     : RecordView{message->key, message->key_len, message->payload, message->len});
  }
  auto decoded = decode_records(records, config_.max_message_bytes, kDecodeThreads);
  // Applied in poll order, so a replayed key keeps the value of its latest offset.
  auto now = Clock::now();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const rd_kafka_message_t& message = *messages[i];
    if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message.err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        stats_.kafka_reachable.store(false, std::memory_order_relaxed);
      }
      if (message.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) log_poll_error(message);
      continue;
    }
    stats_.kafka_reachable.store(true, std::memory_order_relaxed);
    stats_.messages_consumed.fetch_add(1, std::memory_order_relaxed);
    std::string topic = rd_kafka_topic_name(message.rkt);
    if (auto* poison = std::get_if<Poison>(&decoded[i])) {
      dead_letters_.send(make_dead_letter(router_.dead_letter_topic(topic), message, *poison));
    } else {
      const auto& sinks = router_.sinks_for(topic);
      auto& measurement = std::get<Measurement>(decoded[i]);
      // Every sink but the last gets a copy; the last one takes the measurement.
      for (std::size_t s = 0; s + 1 < sinks.size(); ++s) batch_.table(sinks[s]).add(measurement);
      if (!sinks.empty()) batch_.table(sinks.back()).add(std::move(measurement));
    }
    batch_.add_message(topic, message.partition, message.offset, now);
  }
}

void ConsumerLoop::on_kafka_error(rd_kafka_resp_err_t error, const std::string& reason) {
  if (error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    stats_.kafka_reachable.store(false, std::memory_order_relaxed);
  }
  std::string text = fmt::format("{}: {}", rd_kafka_err2name(error), reason);
  if (text == last_poll_error_) return;  // once per distinct error, not once per retry
  spdlog::warn("consumer: Kafka: {}{}", text,
               error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
                   ? "; consumption waits for the brokers (offsets stay committed)"
                   : "");
  last_poll_error_ = std::move(text);
}

void ConsumerLoop::on_assigned(const rd_kafka_topic_partition_list_t&) {
  last_poll_error_.clear();
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
  revoking_ = true;
  auto give_up_at = Clock::now() + kRevokeWait;
  while (!closing_ && !outage_ && Clock::now() < give_up_at) {
    collect_write(kMaxPollWait);
    if (writer_->busy()) continue;
    if (held_ || batch_.empty()) break;
    start_next_write(Clock::now(), /*flush_all=*/true);
  }
  drop_uncommitted(closing_ ? "leaving the group" : "partitions revoked");
  // A write still in flight (a hung database) finishes later; its result is ignored.
  ++generation_;
  revoking_ = false;
}

}  // namespace hc::consumer
