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
constexpr milliseconds kDeadLetterWait{10'000};
constexpr std::chrono::seconds kShutdownBudget{15};
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
      database_written_(router_.database_uris().size(), false),
      batch_(router_.sinks().size(), config.batch_max_rows, config.batch_max_wait),
      dead_letters_(config.kafka, stats_) {
  for (std::size_t d = 0; d < router_.database_uris().size(); ++d) {
    databases_.push_back(
        std::make_unique<PgSink>(router_.database_uris()[d], router_.tables_of(d)));
  }
  group_ = std::make_unique<GroupConsumer>(config, router_.source_topics(), *this);
  control_.add_waker(group_->waker());
}

ConsumerLoop::~ConsumerLoop() = default;

int ConsumerLoop::run() {
  spdlog::info("consumer started: group {}, topics {}, {} tables in {} databases", config_.group_id,
               fmt::join(router_.source_topics(), ", "), router_.sinks().size(), databases_.size());
  auto next_summary = Clock::now() + kSummaryInterval;
  while (!control_.stop_requested()) {
    auto now = Clock::now();
    if (outage_) {
      if (now >= outage_->next_attempt &&
          (batch_.empty() ? probe_databases() : write_and_commit())) {
        if (outage_) leave_outage();
      }
    } else if (batch_.due(now)) {
      write_and_commit();
    }
    now = Clock::now();
    auto wake_at = outage_ ? outage_->next_attempt : batch_.deadline();
    auto wait = std::clamp(std::chrono::duration_cast<milliseconds>(wake_at - now), milliseconds(0),
                           kMaxPollWait);
    handle(group_->poll_batch(wait, kMaxPollMessages));
    if (now >= next_summary) {
      stats_.lag_messages.store(group_->lag(), std::memory_order_relaxed);
      reporter_.maybe_report(now);
      next_summary = now + kSummaryInterval;
    }
  }

  spdlog::info("stopping: writing the {} messages in hand", batch_.message_count());
  auto give_up_at = Clock::now() + kShutdownBudget;
  while (!batch_.empty() && Clock::now() < give_up_at) {
    if (outage_ && Clock::now() < outage_->next_attempt) {
      std::this_thread::sleep_until(std::min(outage_->next_attempt, give_up_at));
      continue;
    }
    write_and_commit();
  }
  closing_ = true;
  group_->close();  // on_revoking drops whatever is still unwritten
  spdlog::info("consumer stopped: {} messages consumed, {} rows written, {} dead letters",
               stats_.messages_consumed.load(), stats_.total_rows_written(),
               stats_.total_dead_letters());
  return 0;
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
      if (message.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) log_poll_error(message);
      continue;
    }
    stats_.messages_consumed.fetch_add(1, std::memory_order_relaxed);
    std::string topic = rd_kafka_topic_name(message.rkt);
    if (auto* poison = std::get_if<Poison>(&decoded[i])) {
      dead_letters_.send(router_.dead_letter_topic(topic), message, *poison);
    } else {
      const auto& sinks = router_.sinks_for(topic);
      auto& measurement = std::get<Measurement>(decoded[i]);
      for (std::size_t s = 0; s < sinks.size(); ++s) {
        if (s + 1 == sinks.size()) {
          batch_.table(sinks[s]).add(std::move(measurement));
        } else {
          batch_.table(sinks[s]).add(measurement);
        }
      }
    }
    batch_.add_message(topic, message.partition, message.offset, now);
  }
}

bool ConsumerLoop::write_and_commit() {
  if (batch_.empty()) return true;
  if (!write_databases()) return false;
  // The dead letters of this batch must be durable before their offsets are committed.
  if (dead_letters_.pending() > 0 && !dead_letters_.flush(kDeadLetterWait)) return false;
  commit_offsets();
  stats_.batches_written.fetch_add(1, std::memory_order_relaxed);
  batch_.clear();
  std::fill(database_written_.begin(), database_written_.end(), false);
  return true;
}

bool ConsumerLoop::write_databases() {
  for (std::size_t d = 0; d < databases_.size(); ++d) {
    if (database_written_[d]) continue;  // a retry does not rewrite databases that committed
    std::vector<const TableRows*> rows(router_.tables_of(d).size(), nullptr);
    for (std::size_t s = 0; s < router_.sinks().size(); ++s) {
      const auto& sink = router_.sinks()[s];
      if (sink.database == d) rows[sink.table_in_database] = &batch_.table(s);
    }
    try {
      databases_[d]->write(rows);
    } catch (const std::exception& error) {
      enter_outage(d, error.what());
      return false;
    }
    database_written_[d] = true;
    for (std::size_t s = 0; s < router_.sinks().size(); ++s) {
      if (router_.sinks()[s].database == d) {
        stats_.rows_written(s).fetch_add(batch_.table(s).size(), std::memory_order_relaxed);
      }
    }
  }
  return true;
}

void ConsumerLoop::commit_offsets() {
  auto started = Clock::now();
  rd_kafka_resp_err_t error = group_->commit(batch_.offsets());
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // The rows are written; only the bookkeeping failed (typically a rebalance). The
    // messages will be read again and upserted again, which changes nothing.
    stats_.commit_failures.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("committing offsets of {} messages failed: {}; they will be re-read (harmless)",
                 batch_.message_count(), rd_kafka_err2str(error));
    return;
  }
  stats_.commits.fetch_add(1, std::memory_order_relaxed);
  stats_.commit_latency_us_total.fetch_add(latency.count(), std::memory_order_relaxed);
}

void ConsumerLoop::enter_outage(std::size_t database, const std::string& error) {
  auto now = Clock::now();
  if (!outage_) {
    outage_ = Outage{database, now, kFirstRetry, now + kFirstRetry, 1};
    stats_.database_up.store(false);
    spdlog::error(
        "database unavailable: {}; pausing consumption, retrying every {} ms .. {} s, "
        "committing nothing until written",
        error, kFirstRetry.count(), kMaxRetry.count() / 1000);
    group_->pause();
    return;
  }
  if (database != outage_->database) {
    spdlog::error("database unavailable: {}", error);
    outage_->database = database;
  }
  ++outage_->attempts;
  outage_->backoff = std::min(outage_->backoff * 2, kMaxRetry);
  outage_->next_attempt = now + outage_->backoff;
  spdlog::debug("still unavailable after {} attempts, next in {} ms: {}", outage_->attempts,
                outage_->backoff.count(), error);
}

void ConsumerLoop::leave_outage() {
  spdlog::info("database {} is back after {:.1f} s ({} attempts); resuming consumption",
               databases_[outage_->database]->name(), seconds_since(outage_->since),
               outage_->attempts);
  outage_.reset();
  stats_.database_up.store(true);
  group_->resume();
}

bool ConsumerLoop::probe_databases() {
  for (std::size_t d = 0; d < databases_.size(); ++d) {
    try {
      databases_[d]->ping();
    } catch (const std::exception& error) {
      enter_outage(d, error.what());
      return false;
    }
  }
  return true;
}

void ConsumerLoop::drop_batch(const char* why) {
  if (batch_.empty()) return;
  spdlog::info(
      "dropping {} uncommitted messages ({}): the partitions' next owner re-reads them from "
      "the last commit, and rows already written are upserted again unchanged",
      batch_.message_count(), why);
  batch_.clear();
  std::fill(database_written_.begin(), database_written_.end(), false);
}

void ConsumerLoop::on_assigned(const rd_kafka_topic_partition_list_t&) { last_poll_error_.clear(); }

void ConsumerLoop::on_revoking(const rd_kafka_topic_partition_list_t&) {
  // Eager rebalancing revokes every partition, so the whole batch belongs to partitions
  // that are going away. If the databases are up we finish it and commit (one batch
  // write, well inside the rebalance timeout), which spares the next owner the replay.
  // If they are down, or we are closing after failing to write, we must not block the
  // rebalance: we drop the uncommitted part. Nothing is lost, because its offsets were
  // never committed: the new owner reads those messages again, and the upsert makes any
  // row we did write an unchanged overwrite. (Dead letters sent for dropped messages
  // may be sent again by the new owner: the dead-letter topic is at-least-once.)
  if (batch_.empty()) return;
  if (!closing_ && !outage_ && write_and_commit()) return;
  drop_batch(closing_ ? "leaving the group" : "partitions revoked during a database outage");
}

}  // namespace hc::consumer
