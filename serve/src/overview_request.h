// Which page of the overview `/` and `/api/v1/status` show, and the paths of its neighbours:
// everything a client can send is checked here, before any query runs. Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "bad_request.h"
#include "hc/store/status.h"

namespace hc::serve {

inline constexpr std::size_t kDefaultOverviewLimit = OverviewPage{}.limit;
inline constexpr std::size_t kMaxOverviewLimit = 1000;
// Far beyond any site list, and small enough that offset + limit fits everywhere it goes
// (std::size_t, a PostgreSQL bigint). An offset past the end is an empty page, not an error.
inline constexpr std::size_t kMaxOverviewOffset = 1'000'000'000;

// offset: sites to skip, 0..kMaxOverviewOffset, default 0. limit: sites on the page,
// 1..kMaxOverviewLimit, default kDefaultOverviewLimit. A value is plain decimal digits only
// (no sign, space, exponent or hex). BadRequest (naming the parameter and what is allowed)
// for an unknown or repeated parameter or a value out of range.
std::variant<OverviewPage, BadRequest> parse_overview_page(const QueryParams& params);

// The neighbours of `overview`'s page in its list of overview.total_sites sites.
// next: offset + limit, when sites remain after the page.
// previous: offset - limit (at least 0), when the page is not the first and not past the end
// (a page past the end links to the first page instead).
std::optional<std::size_t> next_offset(const Overview& overview);
std::optional<std::size_t> previous_offset(const Overview& overview);

// Sites of all pages that are not up (total_sites - up_sites).
std::size_t down_sites(const Overview& overview);

// "{base}?offset={offset}&limit={limit}", e.g. "/api/v1/status?offset=100&limit=100".
// Not HTML-escaped.
std::string overview_path(std::string_view base, std::size_t offset, std::size_t limit);

}  // namespace hc::serve
