#include "overview_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace hc::serve {
namespace {

// A whole number in [min, max] written as decimal digits only, else nullopt. from_chars alone
// would take a prefix ("5" of "5x", "0" of "0x10"); the digit check refuses those first.
std::optional<std::size_t> whole_number(std::string_view text, std::size_t min, std::size_t max) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;  // overflow
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::variant<OverviewPage, BadRequest> parse_overview_page(const QueryParams& params) {
  for (const auto& [name, value] : params) {
    if (name != "offset" && name != "limit") {
      return BadRequest{
          fmt::format("unknown parameter '{}': expected offset or limit", echo(name))};
    }
    if (params.count(name) > 1) {
      return BadRequest{fmt::format("parameter '{}' given more than once", name)};
    }
  }
  OverviewPage page;
  page.limit = kDefaultOverviewLimit;
  if (const auto found = params.find("offset"); found != params.end()) {
    const auto offset = whole_number(found->second, 0, kMaxOverviewOffset);
    if (!offset) {
      return BadRequest{fmt::format("offset: expected a whole number from 0 to {}, got '{}'",
                                    kMaxOverviewOffset, echo(found->second))};
    }
    page.offset = *offset;
  }
  if (const auto found = params.find("limit"); found != params.end()) {
    const auto limit = whole_number(found->second, 1, kMaxOverviewLimit);
    if (!limit) {
      return BadRequest{fmt::format("limit: expected a whole number from 1 to {}, got '{}'",
                                    kMaxOverviewLimit, echo(found->second))};
    }
    page.limit = *limit;
  }
  return page;
}

std::optional<std::size_t> next_offset(const Overview& overview) {
  const std::size_t next = overview.page.offset + overview.page.limit;
  if (next >= overview.total_sites) return std::nullopt;
  return next;
}

std::optional<std::size_t> previous_offset(const Overview& overview) {
  const OverviewPage& page = overview.page;
  if (page.offset == 0 || page.offset >= overview.total_sites) return std::nullopt;
  return page.offset > page.limit ? page.offset - page.limit : 0;
}

std::size_t down_sites(const Overview& overview) {
  return overview.total_sites - std::min(overview.up_sites, overview.total_sites);
}

std::string overview_path(std::string_view base, std::size_t offset, std::size_t limit) {
  return fmt::format("{}?offset={}&limit={}", base, offset, limit);
}

}  // namespace hc::serve
