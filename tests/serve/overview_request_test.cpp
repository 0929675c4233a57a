// What a client may ask of `/` and /api/v1/status (offset, limit), every way to ask wrongly,
// and the neighbours of a page.
#include "overview_request.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hc::serve {
namespace {

OverviewPage page_of(const QueryParams& params) {
  auto result = parse_overview_page(params);
  if (auto* bad = std::get_if<BadRequest>(&result)) {
    ADD_FAILURE() << bad->message;
    return {};
  }
  return std::get<OverviewPage>(result);
}

std::string error_of(const QueryParams& params) {
  auto result = parse_overview_page(params);
  if (auto* bad = std::get_if<BadRequest>(&result)) return bad->message;
  return "accepted";
}

std::string bad_offset(const std::string& value) {
  return fmt::format("offset: expected a whole number from 0 to 1000000000, got '{}'", value);
}
std::string bad_limit(const std::string& value) {
  return fmt::format("limit: expected a whole number from 1 to 1000, got '{}'", value);
}

TEST(OverviewRequest, DefaultsAreTheFirst100Sites) {
  const OverviewPage page = page_of({});
  EXPECT_EQ(page.offset, 0u);
  EXPECT_EQ(page.limit, 100u);
}

TEST(OverviewRequest, OffsetAndLimitWithinTheirBoundsAreTaken) {
  const OverviewPage page = page_of({{"offset", "250"}, {"limit", "50"}});
  EXPECT_EQ(page.offset, 250u);
  EXPECT_EQ(page.limit, 50u);
  EXPECT_EQ(page_of({{"limit", "1"}}).limit, 1u);
  EXPECT_EQ(page_of({{"limit", "1000"}}).limit, 1000u);
  EXPECT_EQ(page_of({{"limit", "007"}}).limit, 7u);
  EXPECT_EQ(page_of({{"offset", "0"}}).offset, 0u);
  EXPECT_EQ(page_of({{"offset", "1000000000"}}).offset, 1000000000u);
}

TEST(OverviewRequest, OnlyPlainDecimalDigitsAreNumbers) {
  for (const std::string value :
       {"1e3", " 5", "5 ", "+5", "-5", "0x10", "5x", "", "1.0", "٣", "18446744073709551616",
        "18446744073709551615", "99999999999999999999999999"}) {
    EXPECT_EQ(error_of({{"offset", value}}), bad_offset(value)) << value;
    EXPECT_EQ(error_of({{"limit", value}}), bad_limit(value)) << value;
  }
}

TEST(OverviewRequest, ValuesOutOfRangeAreRefused) {
  EXPECT_EQ(error_of({{"limit", "0"}}), bad_limit("0"));
  EXPECT_EQ(error_of({{"limit", "1001"}}), bad_limit("1001"));
  EXPECT_EQ(error_of({{"offset", "1000000001"}}), bad_offset("1000000001"));
}

TEST(OverviewRequest, RepeatedAndUnknownParametersAreRefused) {
  EXPECT_EQ(error_of({{"limit", "100"}, {"limit", "5"}}), "parameter 'limit' given more than once");
  EXPECT_EQ(error_of({{"offset", "0"}, {"offset", "0"}}),
            "parameter 'offset' given more than once");
  EXPECT_EQ(error_of({{"page", "2"}}), "unknown parameter 'page': expected offset or limit");
  EXPECT_EQ(error_of({{"Limit", "2"}}), "unknown parameter 'Limit': expected offset or limit");
  EXPECT_EQ(error_of({{"", ""}}), "unknown parameter '': expected offset or limit");
  // A hostile name is quoted bounded and as valid UTF-8.
  EXPECT_EQ(error_of({{std::string(200, 'x') + "\xFF", "1"}}),
            "unknown parameter '" + std::string(80, 'x') + "...': expected offset or limit");
  EXPECT_EQ(error_of({{"limit", "5\xFF"}}), bad_limit("5\xEF\xBF\xBD"));
}

Overview overview_of(std::size_t total, std::size_t offset, std::size_t limit) {
  Overview overview;
  overview.total_sites = total;
  overview.page = {offset, limit};
  return overview;
}

TEST(OverviewRequest, NextAndPreviousStopAtTheEnds) {
  EXPECT_EQ(next_offset(overview_of(5, 0, 2)), 2u);
  EXPECT_EQ(next_offset(overview_of(5, 2, 2)), 4u);
  EXPECT_EQ(next_offset(overview_of(5, 4, 2)), std::nullopt);
  EXPECT_EQ(next_offset(overview_of(4, 2, 2)), std::nullopt);
  EXPECT_EQ(next_offset(overview_of(0, 0, 100)), std::nullopt);
  EXPECT_EQ(next_offset(overview_of(5, 9, 2)), std::nullopt);

  EXPECT_EQ(previous_offset(overview_of(5, 0, 2)), std::nullopt);
  EXPECT_EQ(previous_offset(overview_of(5, 2, 2)), 0u);
  EXPECT_EQ(previous_offset(overview_of(5, 4, 2)), 2u);
  EXPECT_EQ(previous_offset(overview_of(5, 1, 2)), 0u);            // not aligned: back to the start
  EXPECT_EQ(previous_offset(overview_of(5, 5, 2)), std::nullopt);  // past the end
  EXPECT_EQ(previous_offset(overview_of(5, 900, 2)), std::nullopt);

  EXPECT_EQ(overview_path("/api/v1/status", 4, 2), "/api/v1/status?offset=4&limit=2");
}

TEST(OverviewRequest, DownIsEveryCountedSiteNotUp) {
  Overview overview = overview_of(5, 0, 2);
  overview.up_sites = 3;
  EXPECT_EQ(down_sites(overview), 2u);
  overview.up_sites = 7;  // a source that counts wrongly never makes it wrap around
  EXPECT_EQ(down_sites(overview), 0u);
}

}  // namespace
}  // namespace hc::serve
