// read_site_detail: one site's page, and the incidents built from its events.
#include "hc/store/site_detail.h"

#include <cmath>
#include <pqxx/pqxx>

#include "latency_histogram.h"
#include "pg_sql.h"
#include "rollups.h"
#include "site_events.h"
#include "site_overview_sql.h"
#include "status_history_sql.h"
#include "status_tables.h"

namespace hc {
namespace {

using store::optional_field;

std::optional<std::int64_t> rounded(const std::optional<double>& value) {
  if (!value) return std::nullopt;
  // As PostgreSQL casts double precision to bigint: to the nearest, ties to even.
  return static_cast<std::int64_t>(std::nearbyint(*value));
}

}  // namespace

std::vector<Incident> incidents_in(const std::vector<SiteEvent>& events, WallTime from,
                                   WallTime to) {
  std::vector<Incident> incidents;
  std::optional<Incident> open;
  for (const SiteEvent& event : events) {
    if (event.to_state == "down") {
      if (!open) {
        open = Incident{event.at,    std::nullopt,       event.failed_conditions,
                        event.error, event.error_detail, event.status_code};
      }
    } else if (open) {
      open->end = event.at;
      incidents.push_back(std::move(*open));
      open.reset();
    }
  }
  if (open) incidents.push_back(std::move(*open));
  std::erase_if(incidents, [&](const Incident& incident) {
    return incident.start >= to || (incident.end && *incident.end <= from);
  });
  return incidents;
}

std::chrono::microseconds downtime_within(const Incident& incident, WallTime from, WallTime to) {
  const WallTime start = std::max(incident.start, from);
  const WallTime end = std::min(incident.end.value_or(to), to);
  return end > start ? end - start : std::chrono::microseconds(0);
}

std::optional<SiteDetail> read_site_detail(const ConsumerConfig& config, const std::string& digest,
                                           const SiteWindow& window, WallTime now,
                                           ConnectionPool* pool) {
  SiteWindow read = window;
  read.from = window.step == HistoryStep::kHour ? store::hour_floor(window.from)
                                                : store::day_floor(window.from);
  std::optional<SiteDetail> detail;
  store::for_each_status_table(
      config, "site page",
      [&](pqxx::transaction_base& transaction, const std::string& table) {
        const store::RollupBounds bounds = store::read_rollup_bounds(transaction, table);
        auto site = store::read_one_site_overview(transaction, config, table, digest, now, bounds);
        if (!site) return true;
        detail.emplace();
        detail->site = std::move(*site);
        detail->window = read;
        store::LatencyHistogram histogram;
        std::optional<std::int64_t> min_us;
        std::optional<std::int64_t> max_us;
        for (const auto& row : transaction.exec_params(
                 store::history_sql(table, read.step), digest, format_timestamp(read.from),
                 bounds.closed_until, bounds.late_hours, bounds.late_from, bounds.late_to)) {
          const WallTime start(std::chrono::microseconds(row[0].as<std::int64_t>()));
          if (start >= read.to) continue;
          SiteBucket bucket{
              start, UptimeCount{row[1].as<std::int64_t>(), row[2].as<std::int64_t>()},
              optional_field<std::int64_t>(row[4]), optional_field<std::int64_t>(row[3])};
          detail->window_count.checks += bucket.count.checks;
          detail->window_count.up_checks += bucket.count.up_checks;
          if (!row[5].is_null() && !row[6].is_null()) {
            histogram.add(std::string_view(row[5].c_str(), row[5].size()));
            const auto bucket_min = row[6].as<std::int64_t>();
            const auto bucket_max = row[7].as<std::int64_t>();
            min_us = min_us ? std::min(*min_us, bucket_min) : bucket_min;
            max_us = max_us ? std::max(*max_us, bucket_max) : bucket_max;
          }
          detail->buckets.push_back(bucket);
        }
        if (min_us && max_us) {
          detail->window_p50_us = rounded(histogram.percentile(0.5, *min_us, *max_us));
          detail->window_p95_us = rounded(histogram.percentile(0.95, *min_us, *max_us));
        }
        return false;
      },
      pool);
  if (!detail) return std::nullopt;
  const store::SiteEvents events =
      store::read_site_events(config, digest, read.from, read.to, pool);
  detail->has_events_table = events.has_events_table;
  if (events.has_events_table) {
    detail->state = events.newest ? events.newest->to_state : "unknown";
    if (events.newest) detail->state_since = events.newest->at;
  }
  detail->incidents = incidents_in(events.events, read.from, read.to);
  detail->incidents_truncated = events.truncated;
  return detail;
}

}  // namespace hc
