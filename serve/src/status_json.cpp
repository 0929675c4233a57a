#include "status_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "overview_request.h"

namespace hc::serve {
namespace {

template <typename T>
nlohmann::json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json count_json(const UptimeCount& count) {
  return {{"checks", count.checks},
          {"up_checks", count.up_checks},
          {"uptime_percent", optional_json(count.percent())}};
}

std::string day_text(WallTime day) { return format_timestamp(day).substr(0, 10); }

std::string dump(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_overview_json(const Overview& overview, WallTime now,
                                 const MaintenanceLookup& maintenance) {
  nlohmann::json out_sites = nlohmann::json::array();
  for (const auto& site : overview.sites) {
    nlohmann::json days = nlohmann::json::array();
    for (const auto& day : site.days) {
      nlohmann::json entry = count_json(day.count);
      entry["day"] = day_text(day.day);
      days.push_back(std::move(entry));
    }
    out_sites.push_back({
        {"table", site.table},
        {"url", site.url},
        {"check_type", site.check_type},
        {"state", site.state},
        {"state_since", site.state_since ? nlohmann::json(format_timestamp(*site.state_since))
                                         : nlohmann::json(nullptr)},
        {"state_source", state_source_name(site.state_source)},
        {"last_checked_at", format_timestamp(site.last_checked_at)},
        {"last_status_code", optional_json(site.last_status_code)},
        {"last_error", optional_json(site.last_error)},
        {"last_failed_conditions", site.last_failed_conditions},
        {"cert_days_left", optional_json(site.cert_days_left)},
        {"p95_response_us_24h", optional_json(site.p95_response_us_24h)},
        {"uptime",
         {{"24h", count_json(site.uptime_24h)},
          {"7d", count_json(site.uptime_7d)},
          {"30d", count_json(site.uptime_30d)}}},
        {"days", std::move(days)},
        {"maintenance",
         maintenance_json(maintenance ? maintenance(site.url) : std::vector<SilenceNotice>{}, now)},
    });
  }
  const auto next = next_offset(overview);
  return dump(
      {{"generated_at", format_timestamp(now)},
       {"total_sites", overview.total_sites},
       {"up_sites", overview.up_sites},
       {"down_sites", down_sites(overview)},
       {"offset", overview.page.offset},
       {"limit", overview.page.limit},
       {"next", next ? nlohmann::json(overview_path("/api/v1/status", *next, overview.page.limit))
                     : nlohmann::json(nullptr)},
       {"sites", std::move(out_sites)}});
}

std::string render_history_json(const SiteHistory& history, const HistoryQuery& query) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& bucket : history.buckets) {
    nlohmann::json entry = count_json(bucket.count);
    entry["start"] = format_timestamp(bucket.start);
    entry["p95_response_us"] = optional_json(bucket.p95_response_us);
    buckets.push_back(std::move(entry));
  }
  return dump({{"table", history.table},
               {"url", history.url},
               {"step", query.step == HistoryStep::kHour ? "hour" : "day"},
               {"since", format_timestamp(query.since)},
               {"buckets", std::move(buckets)}});
}

}  // namespace hc::serve
