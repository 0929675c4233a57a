#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hc/store/status.h"

namespace hc {
namespace {

std::string milliseconds_text(const std::optional<std::int64_t>& micros) {
  return micros ? fmt::format("{:.1f}", static_cast<double>(*micros) / 1000.0) : "-";
}

// The error class, else the failed conditions ("conditions: status,regex"), else "-".
std::string last_problem(const SiteSummary& site) {
  if (site.last_error) return *site.last_error;
  if (!site.last_failed_conditions.empty()) {
    return fmt::format("conditions: {}", fmt::join(site.last_failed_conditions, ","));
  }
  return "-";
}

// "2026-11-25 10:00:03": UTC to the second.
std::string seconds_text(WallTime time) {
  std::string text = format_timestamp(time).substr(0, 19);
  text[10] = ' ';
  return text;
}

// The TYPE column goes after SITE: it says how to read the URL.
void add_type_column(std::vector<std::string>& row, std::string check_type) {
  row.insert(row.begin() + 1, std::move(check_type));
}

// The state columns go after STATUS: what a reader looks for first.
void add_state_columns(std::vector<std::string>& row, std::string state, std::string since) {
  row.insert(row.begin() + 2, {std::move(state), std::move(since)});
}

}  // namespace

std::string render_status_table(const std::vector<SiteSummary>& sites) {
  if (sites.empty()) return "no measurements yet\n";
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"SITE", "STATUS", "LAST CHECK (UTC)", "UPTIME", "CHECKS", "P50 MS", "P95 MS",
                   "LAST ERROR", "CERT DAYS"});
  const bool with_state =
      std::ranges::any_of(sites, [](const SiteSummary& site) { return site.state.has_value(); });
  if (with_state) add_state_columns(cells.back(), "STATE", "STATE SINCE (UTC)");
  const bool with_type =
      std::ranges::any_of(sites, [](const SiteSummary& site) { return site.check_type != "http"; });
  if (with_type) add_type_column(cells.back(), "TYPE");
  for (const auto& site : sites) {
    std::string checked = site.last_checked_at ? seconds_text(*site.last_checked_at) : "-";
    cells.push_back({
        site.url,
        site.last_status_code ? std::to_string(*site.last_status_code) : "-",
        checked,
        site.checks > 0 ? fmt::format("{:.1f}%", site.uptime_percent) : "-",
        std::to_string(site.checks),
        milliseconds_text(site.p50_response_us),
        milliseconds_text(site.p95_response_us),
        last_problem(site),
        site.cert_days_left ? fmt::format("{:.0f}", *site.cert_days_left) : "-",
    });
    if (with_state) {
      add_state_columns(cells.back(), site.state.value_or("-"),
                        site.state_since ? seconds_text(*site.state_since) : "-");
    }
    if (with_type) add_type_column(cells.back(), site.check_type);
  }
  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - row[i].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string render_status_json(const std::vector<SiteSummary>& sites) {
  auto optional_json = [](const auto& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& site : sites) {
    out.push_back({
        {"table", site.table},
        {"url", site.url},
        {"check_type", site.check_type},
        {"last_status_code", optional_json(site.last_status_code)},
        {"last_checked_at", site.last_checked_at
                                ? nlohmann::json(format_timestamp(*site.last_checked_at))
                                : nlohmann::json(nullptr)},
        {"last_error", optional_json(site.last_error)},
        {"last_failed_conditions", site.last_failed_conditions},
        {"checks", site.checks},
        {"uptime_percent", site.uptime_percent},
        {"p50_response_us", optional_json(site.p50_response_us)},
        {"p95_response_us", optional_json(site.p95_response_us)},
        {"cert_days_left", optional_json(site.cert_days_left)},
        {"state", optional_json(site.state)},
        // hc status reads a state only from events tables: without one, state is null.
        {"state_source", site.state ? nlohmann::json("events") : nlohmann::json(nullptr)},
        {"state_since", site.state_since ? nlohmann::json(format_timestamp(*site.state_since))
                                         : nlohmann::json(nullptr)},
    });
  }
  return out.dump(2) + "\n";
}

}  // namespace hc
