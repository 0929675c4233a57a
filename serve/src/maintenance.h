// Maintenance on the pages: the silences that cover a site (silence_book.h: the notify
// section's config silences and the runtime silences of the silences topic, followed by
// `hc serve` in the background), current or starting within kMaintenanceHorizon. The overview
// marks a site's row with its current (else next) maintenance; the site page lists them all;
// /api/v1/status gives them as "maintenance".
//
// A silence's url_regex is matched against the URL as the page shows it (query values named by
// redact_query_params redacted); every text of a silence (name, comment, author) passes through
// html_escape.
//
// Thread: any (the book is thread-safe; the rest is pure).
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/message.h"
#include "hc/common/silence_book.h"

namespace hc::serve {

inline constexpr std::chrono::days kMaintenanceHorizon{7};

// A site's notices by its URL as shown. An empty function: no silences are known (hc serve
// without a notify section).
using MaintenanceLookup = std::function<std::vector<SilenceNotice>(std::string_view url)>;

// The notices of `book` (null: an empty lookup) over [now, now + kMaintenanceHorizon).
// `book` must outlive the lookup.
MaintenanceLookup maintenance_lookup(const SilenceBook* book, WallTime now);

// Whether `notice` holds at `now` (else it starts later).
bool is_current(const SilenceNotice& notice, WallTime now);

// The overview row's mark: the first current notice, else the earliest upcoming one, as a
// span ("maintenance until …" / "maintenance from …"), its comment as the title. "" for none.
std::string maintenance_mark_html(const std::vector<SilenceNotice>& notices, WallTime now);

// The site page's section: one line per notice (now / upcoming, from, until, comment, author,
// the silence's name or id). "" for none.
std::string maintenance_section_html(const std::vector<SilenceNotice>& notices, WallTime now);

// [{"name", "source": "config"|"runtime", "current", "starts_at", "ends_at", "comment",
//   "created_by"}], times RFC 3339 or null (unbounded).
nlohmann::json maintenance_json(const std::vector<SilenceNotice>& notices, WallTime now);

}  // namespace hc::serve
