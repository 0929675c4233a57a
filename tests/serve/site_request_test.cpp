// /sites/{url} requests: the window a client may ask for, and everything refused.
#include "site_request.h"

#include <gtest/gtest.h>

#include "hc/common/message.h"

namespace hc::serve {
namespace {

WallTime at(const char* text) { return *parse_timestamp(text); }
const WallTime kNow = at("2026-11-25T12:34:56Z");

SiteQuery parsed(const QueryParams& params) {
  auto query = parse_site_query("https://a/", params, kNow);
  if (auto* bad = std::get_if<BadRequest>(&query)) ADD_FAILURE() << bad->message;
  return std::get<SiteQuery>(query);
}

std::string refusal(const QueryParams& params) {
  auto query = parse_site_query("https://a/", params, kNow);
  return std::holds_alternative<BadRequest>(query) ? std::get<BadRequest>(query).message : "";
}

TEST(SiteRequest, NamedWindowsAreHourlyUpToSevenDaysThenDaily) {
  const SiteQuery day = parsed({{"since", "24h"}});
  EXPECT_EQ(day.window.from, at("2026-11-24T12:00:00Z"));
  EXPECT_EQ(day.window.to, kNow);
  EXPECT_EQ(day.window.step, HistoryStep::kHour);
  EXPECT_EQ(day.since, "24h");
  const SiteQuery fallback = parsed({});
  EXPECT_EQ(fallback.since, "7d");
  EXPECT_EQ(fallback.window.step, HistoryStep::kHour);
  const SiteQuery month = parsed({{"since", "30d"}});
  EXPECT_EQ(month.window.from, at("2026-10-26T00:00:00Z"));
  EXPECT_EQ(month.window.step, HistoryStep::kDay);
  EXPECT_EQ(parsed({{"since", "90d"}}).window.step, HistoryStep::kDay);
}

TEST(SiteRequest, FromAndToAreACustomWindowEndingNowAtTheLatest) {
  const SiteQuery query =
      parsed({{"from", "2026-11-01T00:00:00Z"}, {"to", "2026-11-03T06:00:00Z"}});
  EXPECT_EQ(query.window.from, at("2026-11-01T00:00:00Z"));
  EXPECT_EQ(query.window.to, at("2026-11-03T06:00:00Z"));
  EXPECT_EQ(query.window.step, HistoryStep::kHour);
  EXPECT_EQ(query.since, "");
  EXPECT_EQ(parsed({{"from", "2026-11-25T00:00:00Z"}, {"to", "2027-01-01T00:00:00Z"}}).window.to,
            kNow);
  EXPECT_EQ(parsed({{"from", "2026-11-25T00:00:00Z"}}).window.to, kNow);
}

TEST(SiteRequest, EverythingElseIsRefusedNamingWhat) {
  EXPECT_NE(refusal({{"since", "1h"}}).find("since: expected 24h, 7d, 30d or 90d"),
            std::string::npos);
  EXPECT_NE(refusal({{"since", "7d"}, {"from", "2026-11-01T00:00:00Z"}}).find("not both"),
            std::string::npos);
  EXPECT_NE(refusal({{"to", "2026-11-01T00:00:00Z"}}).find("to: needs from"), std::string::npos);
  EXPECT_NE(refusal({{"from", "yesterday"}}).find("from: expected"), std::string::npos);
  EXPECT_NE(
      refusal({{"from", "2026-11-02T00:00:00Z"}, {"to", "2026-11-01T00:00:00Z"}}).find("before to"),
      std::string::npos);
  EXPECT_NE(refusal({{"from", "2024-01-01T00:00:00Z"}}).find("at most 400 days"),
            std::string::npos);
  EXPECT_NE(refusal({{"step", "day"}}).find("unknown parameter 'step'"), std::string::npos);
  EXPECT_NE(refusal({{"since", "7d"}, {"since", "24h"}}).find("given twice"), std::string::npos);
}

}  // namespace
}  // namespace hc::serve
