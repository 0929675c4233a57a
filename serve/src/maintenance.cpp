#include "maintenance.h"

#include <fmt/format.h>

#include <algorithm>

#include "html_escape.h"
#include "page_parts.h"

namespace hc::serve {
namespace {

std::chrono::sys_seconds seconds_of(WallTime time) {
  return std::chrono::floor<std::chrono::seconds>(time);
}

// "until 2026-12-05 04:00:00 UTC", "from … until …", "from …" (no end): the period in words.
std::string period_text(const SilencePeriod& period, bool current) {
  std::string text;
  if (!current && period.starts_at) text = "from " + time_text(*period.starts_at);
  if (period.ends_at) {
    text += (text.empty() ? "until " : " until ") + time_text(*period.ends_at);
  } else if (text.empty()) {
    text = "until further notice";
  }
  return text;
}

std::string source_name(const SilenceNotice& notice) {
  return notice.runtime ? "runtime" : "config";
}

// "comment (by author)" for a runtime silence; the config's have no comment.
std::string description(const SilenceNotice& notice) {
  if (!notice.runtime) return "planned maintenance";
  return notice.created_by.empty() ? notice.comment
                                   : fmt::format("{} (by {})", notice.comment, notice.created_by);
}

}  // namespace

MaintenanceLookup maintenance_lookup(const SilenceBook* book, WallTime now) {
  if (book == nullptr) return {};
  const std::chrono::sys_seconds from = seconds_of(now);
  return [book, from](std::string_view url) {
    return book->covering(url, from, from + kMaintenanceHorizon);
  };
}

bool is_current(const SilenceNotice& notice, WallTime now) {
  return !notice.period.starts_at || *notice.period.starts_at <= now;
}

std::string maintenance_mark_html(const std::vector<SilenceNotice>& notices, WallTime now) {
  if (notices.empty()) return "";
  auto shown = std::find_if(notices.begin(), notices.end(),
                            [now](const SilenceNotice& notice) { return is_current(notice, now); });
  if (shown == notices.end()) {
    shown = std::min_element(notices.begin(), notices.end(),
                             [](const SilenceNotice& a, const SilenceNotice& b) {
                               return *a.period.starts_at < *b.period.starts_at;
                             });
  }
  const bool current = is_current(*shown, now);
  return fmt::format(R"(<span class="maintenance{}" title="{}">maintenance {}</span>)",
                     current ? " now" : "", html_escape(description(*shown)),
                     html_escape(period_text(shown->period, current)));
}

std::string maintenance_section_html(const std::vector<SilenceNotice>& notices, WallTime now) {
  if (notices.empty()) return "";
  std::string out = fmt::format(
      "<section class=\"box maintenance\"><h2>Maintenance <small>now and in the next {} days"
      "</small></h2><ul>\n",
      kMaintenanceHorizon.count());
  for (const SilenceNotice& notice : notices) {
    const bool current = is_current(notice, now);
    out += fmt::format(
        "<li class=\"{}\"><strong>{}</strong> {} — {} <small>({} silence {})</small></li>\n",
        current ? "now" : "upcoming", current ? "Now" : "Upcoming",
        html_escape(period_text(notice.period, current)), html_escape(description(notice)),
        source_name(notice), html_escape(notice.period.name));
  }
  return out + "</ul></section>\n";
}

nlohmann::json maintenance_json(const std::vector<SilenceNotice>& notices, WallTime now) {
  nlohmann::json out = nlohmann::json::array();
  auto time_json = [](const std::optional<std::chrono::sys_seconds>& time) {
    return time ? nlohmann::json(format_timestamp(*time)) : nlohmann::json(nullptr);
  };
  for (const SilenceNotice& notice : notices) {
    out.push_back({{"name", notice.period.name},
                   {"source", source_name(notice)},
                   {"current", is_current(notice, now)},
                   {"starts_at", time_json(notice.period.starts_at)},
                   {"ends_at", time_json(notice.period.ends_at)},
                   {"comment", notice.comment},
                   {"created_by", notice.created_by}});
  }
  return out;
}

}  // namespace hc::serve
