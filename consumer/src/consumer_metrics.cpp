#include "consumer_metrics.h"

#include "hc/store/db_error.h"
#include "hc/store/maintenance.h"

namespace hc::consumer {
namespace {

constexpr const char* kDatabaseUpHelp =
    "1 while every database accepts writes, 0 during an outage or before the first start";

double load(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

// ConsumerStats labels each sink "DATABASE TABLE" (database URI without password).
MetricLabels sink_labels(const std::string& label) {
  auto space = label.rfind(' ');
  if (space == std::string::npos) return {{"database", ""}, {"table", label}};
  return {{"database", label.substr(0, space)}, {"table", label.substr(space + 1)}};
}

void collect_running(const ConsumerStats& stats, MetricFamilyWriter& out) {
  out.counter("hc_messages_consumed_total", "Messages read from Kafka",
              load(stats.messages_consumed));
  for (std::size_t sink = 0; sink < stats.table_labels().size(); ++sink) {
    out.counter("hc_rows_written_total", "Rows upserted and committed, per table",
                static_cast<double>(stats.rows_written_count(sink)),
                sink_labels(stats.table_labels()[sink]));
  }
  for (std::size_t sink = 0; sink < stats.table_labels().size(); ++sink) {
    out.counter("hc_rows_expired_total",
                "Rows older than their table's retention_days: not written, offsets committed",
                static_cast<double>(stats.rows_expired_count(sink)),
                sink_labels(stats.table_labels()[sink]));
  }
  for (std::size_t result = 0; result < stats.maintenance_runs.size(); ++result) {
    out.counter("hc_maintenance_runs_total",
                "Table upkeep runs (partitions ahead, expired partitions dropped) by result: ok, "
                "skipped (another consumer held the lock), failed",
                load(stats.maintenance_runs.at(result)),
                {{"result", std::string(to_string(static_cast<MaintenanceResult>(result)))}});
  }
  out.counter("hc_partitions_created_total", "Partitions created ahead by the table upkeep",
              load(stats.partitions_created));
  out.counter("hc_partitions_dropped_total",
              "Partitions dropped whole by the table upkeep (wholly older than retention_days)",
              load(stats.partitions_dropped));
  out.histogram("hc_batch_rows", "Rows per table per written batch", stats.batch_rows);
  out.histogram("hc_commit_latency_seconds", "Time to write and commit one batch in one database",
                stats.commit_seconds);
  out.counter("hc_batches_written_total", "Batches written to every database",
              load(stats.batches_written));
  out.counter("hc_offset_commits_total", "Kafka offset commits", load(stats.commits));
  out.counter("hc_offset_commit_failures_total",
              "Kafka offset commits that failed (the messages are re-read; upserts make that "
              "harmless)",
              load(stats.commit_failures));
  for (const auto& [reason, count] : stats.dead_letters_by_reason()) {
    out.counter("hc_dead_letter_messages_total",
                "Records that cannot be stored, sent to the dead-letter topic, by reason",
                static_cast<double>(count), {{"reason", reason}});
  }
  out.gauge("hc_dead_letters_pending",
            "Dead letters sent but not yet acknowledged by the broker; their source offsets "
            "stay uncommitted",
            load(stats.dead_letters_pending));
  out.counter("hc_dead_letters_delivered_total", "Dead letters acknowledged by the broker",
              load(stats.dead_letters_delivered));
  out.counter("hc_dead_letter_failures_total",
              "Dead-letter deliveries that failed (each is sent again)",
              load(stats.dead_letter_failures));
  out.counter("hc_dead_letters_truncated_total",
              "Dead letters whose original value was cut to fit (hc-dlq-truncated header)",
              load(stats.dead_letters_truncated));
  out.counter("hc_dead_letters_dropped_total",
              "Dead letters dropped: their topic's limit is below a letter with nothing left to "
              "cut (each logged with its source topic, partition and offset)",
              load(stats.dead_letters_dropped));
  out.gauge("hc_consumer_lag_messages",
            "Messages behind the high watermark over assigned partitions (-1: unknown)",
            static_cast<double>(stats.lag_messages.load(std::memory_order_relaxed)));
  for (const auto error_class : {DbErrorClass::kOutage, DbErrorClass::kBusy, DbErrorClass::kRowData,
                                 DbErrorClass::kDefinition}) {
    out.counter("hc_database_errors_total",
                "Database errors by class: failed batch writes (outage, busy, definition) and "
                "rows refused (row_data, dead-lettered as db_rejected)",
                load(stats.database_errors.at(static_cast<std::size_t>(error_class))),
                {{"class", std::string(to_string(error_class))}});
  }
  out.gauge("hc_database_up", kDatabaseUpHelp,
            stats.database_up.load(std::memory_order_relaxed) ? 1 : 0);
  out.gauge("hc_kafka_up", "1 while Kafka is reachable, 0 when all brokers are down",
            stats.kafka_reachable.load(std::memory_order_relaxed) ? 1 : 0);
}

}  // namespace

void ConsumerMetrics::set_starting(std::string reason) {
  MutexLock lock(mutex_);
  not_running_reason_ = "starting: " + std::move(reason);
}

ConsumerMetrics::Attachment ConsumerMetrics::attach(const ConsumerStats& stats) {
  MutexLock lock(mutex_);
  stats_ = &stats;
  return Attachment(*this);
}

ConsumerMetrics::Attachment::~Attachment() {
  MutexLock lock(metrics_.mutex_);
  metrics_.stats_ = nullptr;
  metrics_.not_running_reason_ = "stopping";
}

std::shared_ptr<prometheus::Collectable> ConsumerMetrics::collectable() {
  return std::make_shared<ScrapeCollectable>([this](MetricFamilyWriter& out) { collect(out); });
}

void ConsumerMetrics::collect(MetricFamilyWriter& out) const {
  MutexLock lock(mutex_);
  if (stats_ != nullptr) {
    collect_running(*stats_, out);
    return;
  }
  out.gauge("hc_database_up", kDatabaseUpHelp, 0);  // not written to yet
}

std::optional<std::string> ConsumerMetrics::problem() const {
  MutexLock lock(mutex_);
  if (stats_ == nullptr) return not_running_reason_;
  if (auto settings = stats_->kafka_settings.text()) return settings;
  if (!stats_->kafka_reachable.load(std::memory_order_relaxed)) {
    return "kafka: all brokers down";
  }
  if (auto problem = stats_->problem()) return problem;
  if (auto problem = stats_->dead_letter_problem(); !problem.empty()) return problem;
  return std::nullopt;
}

}  // namespace hc::consumer
