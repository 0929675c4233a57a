// Hourly rollups and the latest table against a real throwaway PostgreSQL 15, rows written
// through the sink (TableWriter) as the consumer writes them: a closed hour equals the aggregate of
// its raw rows, closing again and replaying change nothing, a late row reaches the rollup at
// the next close, the _hourly view's open hour is its raw rows, the rollup retention, and the
// latest table never goes backwards.
#include "rollups.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "hc/common/url_digest.h"
#include "hc/store/month_report.h"
#include "hc/store/status.h"
#include "hc/store/table_writer.h"
#include "hc/test/postgres_test.h"
#include "hc/test/support.h"
#include "latency_histogram.h"
#include "rollup_sql.h"
#include "window_sums.h"

namespace hc::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-01-01T00:00:00Z: hour 0 of every test.
const WallTime kHour0 = WallTime(seconds(1'767'225'600));

Measurement check(const std::string& url, WallTime at, std::int64_t response_time_us) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = at;
  m.status_code = 200;
  m.response_time_us = response_time_us;
  m.healthy = true;
  return m;
}

// Checks of three sites over hours 0..2, every 37 s, response times spread over four decades
// (from ~150 µs to ~2 s, a few sites slower), errors of two classes and failed verdicts.
std::vector<Measurement> three_sites_three_hours() {
  std::vector<Measurement> rows;
  std::uint64_t state = 12345;
  for (int site = 0; site < 3; ++site) {
    const std::string url = fmt::format("https://site-{}.test/", site);
    for (int i = 0; i * 37 < 3 * 3600; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const double unit = static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
      const auto response_us =
          static_cast<std::int64_t>(150.0 * std::pow(10.0, 4.2 * unit)) + std::int64_t{site} * 1000;
      Measurement m = check(url, kHour0 + seconds(i * 37 + site), response_us);
      if (i % 17 == 0) {
        m.error = i % 2 == 0 ? "timeout" : "connect";
        m.status_code.reset();
        m.healthy = false;
      } else if (i % 11 == 0) {
        m.healthy = false;
        m.failed_conditions = {"response_time"};
      } else if (i % 13 == 0) {
        m.healthy.reset();  // an older producer's row: up by "no error"
      }
      rows.push_back(std::move(m));
    }
  }
  return rows;
}

class RollupsTest : public test::PostgresTest<RollupsTest> {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    sink_ = std::make_unique<TableWriter>(uri(), std::vector<TableSpec>{{"hc"}});
    sink_->migrate();
  }
  // Every query in UTC, so hours print the same everywhere.
  std::string query(const std::string& sql) const {
    return postgres->query("SET TimeZone = 'UTC';" + sql, database_);
  }
  void write(const std::vector<Measurement>& measurements) {
    TableRows rows;
    for (const auto& m : measurements) rows.add(m);
    sink_->write({&rows});
  }
  RollupClose close(WallTime now, int retention_days = 0) {
    pqxx::connection connection(uri());
    pqxx::work txn(connection);
    RollupClose closed = close_hourly_rollups(txn, "hc", now, retention_days);
    txn.commit();
    return closed;
  }
  // The rollup's rows, in order, with the row versions (xmin): equal text = nothing rewritten.
  std::string rollup_with_versions() const {
    return query(
        "SELECT string_agg(concat_ws('|', xmin, hour, url_digest, checks, up_checks, error_counts,"
        " min_response_us, max_response_us, sum_response_us, latency_histogram), E'\\n'"
        " ORDER BY hour, url_digest) FROM hc_hourly_rollup");
  }

  // read_site_status(now, window) against the window's raw rows taken as one histogram, per
  // site of the latest table: checks and up checks exactly; percentiles as the SQL definition
  // computes them, to the microsecond; a site without checks in the window has 0 checks and
  // no percentiles.
  void expect_status_window_is_its_raw_rows(WallTime now, minutes window) const {
    ConsumerConfig config;
    config.topics.push_back(TopicSinkConfig{"measurements", postgres->uri(database_), "hc"});
    const WallTime since = now - window;
    const std::string expected = query(fmt::format(
        "SELECT string_agg(concat_ws(' ', l.uri, coalesce(w.checks, 0), coalesce(w.up_checks, 0),"
        " coalesce(hc_histogram_percentile(w.h, 0.5, w.mn, w.mx), -1),"
        " coalesce(hc_histogram_percentile(w.h, 0.95, w.mn, w.mx), -1)), E'\\n' ORDER BY l.uri)"
        " FROM hc_latest l LEFT JOIN (SELECT url_digest, sum(checks) AS checks,"
        " sum(up_checks) AS up_checks, {} AS h, min(min_response_us) AS mn,"
        " max(max_response_us) AS mx FROM hc_hourly_from_raw('{}', 'infinity')"
        " GROUP BY url_digest) w USING (url_digest)",
        histogram_sum_sql("latency_histogram"), format_timestamp(since)));
    std::istringstream in(expected);
    const auto sites = read_site_status(config, std::chrono::duration_cast<seconds>(window), now);
    ASSERT_EQ(sites.size(),
              static_cast<std::size_t>(std::stoi(query("SELECT count(*) FROM hc_latest"))));
    for (const auto& site : sites) {
      std::string url;
      std::int64_t checks = 0;
      std::int64_t up_checks = 0;
      double p50 = 0;
      double p95 = 0;
      ASSERT_TRUE(in >> url >> checks >> up_checks >> p50 >> p95) << expected;
      EXPECT_EQ(site.url, url);
      EXPECT_EQ(site.checks, checks) << url << " window " << window.count() << " min";
      if (checks == 0) {
        EXPECT_FALSE(site.p50_response_us || site.p95_response_us) << url;
        continue;
      }
      EXPECT_DOUBLE_EQ(site.uptime_percent,
                       100.0 * static_cast<double>(up_checks) / static_cast<double>(checks))
          << url << " window " << window.count() << " min";
      ASSERT_TRUE(site.p50_response_us && site.p95_response_us) << url;
      EXPECT_NEAR(static_cast<double>(*site.p50_response_us), p50, 0.5 + 1e-9)
          << url << " window " << window.count() << " min";
      EXPECT_NEAR(static_cast<double>(*site.p95_response_us), p95, 0.5 + 1e-9)
          << url << " window " << window.count() << " min";
    }
  }

  // read_month_report(now) of `month` against the month's raw rows taken as one histogram, per
  // site of the latest table: checks and up checks exactly, the p95 as the SQL definition
  // computes it, to the microsecond.
  void expect_month_is_its_raw_rows(WallTime now, const std::string& month_text) const {
    ConsumerConfig config;
    config.topics.push_back(TopicSinkConfig{"measurements", postgres->uri(database_), "hc"});
    const ReportMonth month = std::get<ReportMonth>(parse_report_month(month_text));
    const std::string expected = query(fmt::format(
        "SELECT string_agg(concat_ws(' ', l.uri, coalesce(w.checks, 0), coalesce(w.up_checks, 0),"
        " coalesce(hc_histogram_percentile(w.h, 0.95, w.mn, w.mx), -1)), E'\\n' ORDER BY l.uri)"
        " FROM hc_latest l LEFT JOIN (SELECT url_digest, sum(checks) AS checks,"
        " sum(up_checks) AS up_checks, {} AS h, min(min_response_us) AS mn,"
        " max(max_response_us) AS mx FROM hc_hourly_from_raw('{}', '{}')"
        " GROUP BY url_digest) w USING (url_digest)",
        histogram_sum_sql("latency_histogram"), format_timestamp(month.start),
        format_timestamp(std::min(month.end, now))));
    std::istringstream in(expected);
    const MonthReport report = read_month_report(config, month, now, nullptr);
    ASSERT_EQ(report.sites.size(),
              static_cast<std::size_t>(std::stoi(query("SELECT count(*) FROM hc_latest"))));
    for (const auto& site : report.sites) {
      std::string url;
      std::int64_t checks = 0;
      std::int64_t up_checks = 0;
      double p95 = 0;
      ASSERT_TRUE(in >> url >> checks >> up_checks >> p95) << expected;
      EXPECT_EQ(site.url, url);
      EXPECT_EQ(site.count.checks, checks) << url << " " << month_text;
      EXPECT_EQ(site.count.up_checks, up_checks) << url << " " << month_text;
      if (checks == 0) continue;
      ASSERT_TRUE(site.p95_response_us) << url;
      EXPECT_NEAR(static_cast<double>(*site.p95_response_us), p95, 0.5 + 1e-9)
          << url << " " << month_text;
    }
  }

  // Adds `delta` to the checks of every hourly and daily rollup row: a reader that sums the
  // rollups is off by it, one that reads the window sums is not.
  void skew_rollups(int delta) const {
    query(
        fmt::format("UPDATE hc_hourly_rollup SET checks = checks + {0};"
                    "UPDATE hc_daily_rollup SET checks = checks + {0}",
                    delta));
  }

  // The ranges of the window sums listed for table hc, "from..until" in UTC, in order.
  std::string window_ranges() const {
    return query(
        "SELECT string_agg(to_char(from_hour, 'MM-DD HH24') || '..' ||"
        " to_char(until_hour, 'MM-DD HH24'), ',' ORDER BY from_hour, until_hour)"
        " FROM hc_window_ranges WHERE table_name = 'hc'");
  }

  std::unique_ptr<TableWriter> sink_;
};

// The hours marked for the rollups of table hc, and the hours its rows fall in, each as one
// ordered list: equal when every hour with rows is marked.
constexpr const char* kMarkedHours =
    "SELECT string_agg(hour::text, ',' ORDER BY hour) FROM (SELECT DISTINCT hour FROM"
    " hc_rollup_pending WHERE table_name = 'hc') h";
constexpr const char* kRowHours =
    "SELECT string_agg(hour::text, ',' ORDER BY hour) FROM (SELECT DISTINCT date_bin('1 hour',"
    " measurement_time, timestamptz '2000-01-01 00:00+00') AS hour FROM hc) h";

// The exact numbers of each site and hour, straight from the raw rows.
constexpr const char* kDirectAggregate =
    "SELECT a.hour, a.url_digest, a.checks, a.up_checks, coalesce(e.counts, '{}') AS error_counts,"
    " a.min_response_us, a.max_response_us, a.sum_response_us"
    " FROM (SELECT date_bin('1 hour', measurement_time, timestamptz '2000-01-01 00:00+00') AS hour,"
    "   url_digest, count(*)::int AS checks,"
    "   count(*) FILTER (WHERE hc_measurement_up(healthy, error))::int AS up_checks,"
    "   min(response_time_microseconds) AS min_response_us,"
    "   max(response_time_microseconds) AS max_response_us,"
    "   sum(response_time_microseconds)::bigint AS sum_response_us"
    "   FROM hc GROUP BY 1, 2) a"
    " LEFT JOIN (SELECT hour, url_digest, jsonb_object_agg(error, n) AS counts"
    "   FROM (SELECT date_bin('1 hour', measurement_time, timestamptz '2000-01-01 00:00+00')"
    "     AS hour, url_digest, error, count(*) AS n FROM hc WHERE error IS NOT NULL"
    "     GROUP BY 1, 2, 3) per_class GROUP BY 1, 2) e USING (hour, url_digest)";

constexpr const char* kRollupNumbers =
    "SELECT hour, url_digest, checks, up_checks, error_counts, min_response_us, max_response_us,"
    " sum_response_us FROM hc_hourly_rollup";

TEST_F(RollupsTest, AClosedHourEqualsTheAggregateOfItsRawRows) {
  write(three_sites_three_hours());
  const RollupClose closed = close(kHour0 + hours(3) + minutes(5));
  EXPECT_EQ(closed.hours_closed, 3u);
  EXPECT_EQ(closed.rows_written, 9u);
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly_rollup"), "9");
  EXPECT_EQ(query(fmt::format("SELECT count(*) FROM (({} EXCEPT {}) UNION ALL ({} EXCEPT {})) d",
                              kDirectAggregate, kRollupNumbers, kRollupNumbers, kDirectAggregate)),
            "0");
  EXPECT_EQ(query("SELECT sum((error_counts->>'timeout')::int) > 0"
                  " AND sum((error_counts->>'connect')::int) > 0 FROM hc_hourly_rollup"),
            "t");
  // The histogram is cumulative and counts every check with a response time.
  EXPECT_EQ(
      query("SELECT count(*) FROM hc_hourly_rollup WHERE cardinality(latency_histogram) <> 62"
            " OR latency_histogram[62] <> checks OR latency_histogram[1] > latency_histogram[62]"),
      "0");
  // p50/p95/p99 from the histogram fall in the bucket of percentile_cont's exact value, or the
  // next one (percentile_cont interpolates between two neighbouring checks).
  EXPECT_EQ(
      query("SELECT count(*) FROM (SELECT r.hour, r.url_digest, f,"
            " hc_latency_bucket(hc_histogram_percentile(r.latency_histogram, f,"
            "   r.min_response_us, r.max_response_us)::bigint) AS estimated,"
            " hc_latency_bucket((SELECT percentile_cont(f) WITHIN GROUP"
            "   (ORDER BY response_time_microseconds) FROM hc WHERE url_digest = r.url_digest"
            "   AND measurement_time >= r.hour AND measurement_time < r.hour + interval '1 hour'"
            "   )::bigint) AS exact"
            " FROM hc_hourly_rollup r, unnest(ARRAY[0.5, 0.95, 0.99]) f) c"
            " WHERE abs(estimated - exact) > 1"),
      "0");
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly_rollup"
                  " WHERE hc_histogram_percentile(latency_histogram, 0.5, min_response_us,"
                  " max_response_us) IS NULL"),
            "0");
}

TEST_F(RollupsTest, ClosingAgainOrReplayingRowsChangesNothing) {
  const std::vector<Measurement> rows = three_sites_three_hours();
  write(rows);
  close(kHour0 + hours(3));
  const std::string first = rollup_with_versions();
  ASSERT_NE(first, "");

  const RollupClose again = close(kHour0 + hours(3));
  EXPECT_EQ(again.hours_closed, 0u);
  EXPECT_EQ(rollup_with_versions(), first);

  write(rows);  // Kafka redelivers everything: the hours are marked again
  const RollupClose after_replay = close(kHour0 + hours(3));
  EXPECT_EQ(after_replay.hours_closed, 3u);
  EXPECT_EQ(after_replay.rows_written, 0u);
  EXPECT_EQ(rollup_with_versions(), first);
}

TEST_F(RollupsTest, ALateRowForAClosedHourReachesTheRollupAtTheNextClose) {
  write({check("https://a.test/", kHour0 + minutes(10), 1000),
         check("https://a.test/", kHour0 + minutes(20), 3000)});
  close(kHour0 + hours(2));
  ASSERT_EQ(query("SELECT checks || '/' || max_response_us FROM hc_hourly_rollup"), "2/3000");

  Measurement late = check("https://a.test/", kHour0 + minutes(59), 9000);
  late.error = "timeout";
  late.healthy = false;
  write({late});
  // Until the next close, readers take that hour from the raw rows.
  EXPECT_EQ(query("SELECT checks || '/' || max_response_us FROM hc_hourly_rollup"), "2/3000");
  EXPECT_EQ(query("SELECT checks || '/' || up_checks || '/' || max_response_us FROM hc_hourly"),
            "3/2/9000");

  const RollupClose closed = close(kHour0 + hours(2));
  EXPECT_EQ(closed.hours_closed, 1u);
  EXPECT_EQ(query("SELECT checks || '/' || up_checks || '/' || max_response_us || '/' ||"
                  " error_counts::text FROM hc_hourly_rollup"),
            "3/2/9000/{\"timeout\": 1}");
  EXPECT_EQ(query("SELECT count(*) FROM hc_rollup_pending"), "0");
}

TEST_F(RollupsTest, TheHourlyViewsOpenHourIsItsRawRows) {
  write(three_sites_three_hours());
  close(kHour0 + hours(2) + minutes(30));  // hours 0 and 1 closed, hour 2 open
  EXPECT_EQ(query("SELECT string_agg(DISTINCT hour::text, ',') FROM hc_hourly_rollup"),
            "2026-01-01 00:00:00+00,2026-01-01 01:00:00+00");
  const std::string view_numbers =
      "SELECT hour, url_digest, checks::int, up_checks::int, error_counts, min_response_us,"
      " max_response_us, sum_response_us FROM hc_hourly";
  EXPECT_EQ(query(fmt::format("SELECT count(*) FROM (({} EXCEPT {}) UNION ALL ({} EXCEPT {})) d",
                              kDirectAggregate, view_numbers, view_numbers, kDirectAggregate)),
            "0");
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly WHERE hour = '2026-01-01 02:00+00'"), "3");
  // The columns of the view it replaced, with their meaning.
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly h WHERE uptime_percent <>"
                  " round(100.0 * up_checks / checks, 2) OR p50_response_us > p95_response_us"
                  " OR p95_response_us > max_response_us OR uri IS NULL"),
            "0");
}

TEST_F(RollupsTest, RollupRowsOlderThanTheRetentionAreDeleted) {
  write({check("https://a.test/", kHour0 + minutes(1), 1000),
         check("https://a.test/", kHour0 + hours(24 * 10) + minutes(1), 1000)});
  close(kHour0 + hours(1));
  ASSERT_EQ(query("SELECT count(*) FROM hc_hourly_rollup"), "1");
  ASSERT_EQ(query("SELECT count(*) FROM hc_daily_rollup"), "1");
  const RollupClose closed = close(kHour0 + hours(24 * 10 + 2), 5);
  EXPECT_EQ(closed.rows_expired, 2u);  // hour 0 and day 0
  EXPECT_EQ(query("SELECT string_agg(hour::text, ',') FROM hc_hourly_rollup"),
            "2026-01-11 00:00:00+00");
  EXPECT_EQ(query("SELECT string_agg(day::text, ',') FROM hc_daily_rollup"),
            "2026-01-11 00:00:00+00");
  // A late row older than the retention is not rolled up again.
  write({check("https://a.test/", kHour0 + minutes(2), 1000)});
  const RollupClose late = close(kHour0 + hours(24 * 10 + 2), 5);
  EXPECT_EQ(late.hours_closed, 0u);
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly_rollup"), "1");
}

// Newer wins: replaying older measurements (a redelivery, a lagging partition) never moves a
// site's latest row back, an identical replay writes no row version, and a new value for the
// same measurement replaces it as it does in the measurements table.
TEST_F(RollupsTest, TheLatestTableNeverGoesBackwardsUnderReplay) {
  std::vector<Measurement> history;
  history.reserve(5);
  for (int i = 0; i < 5; ++i) {
    history.push_back(check("https://a.test/", kHour0 + minutes(i), 1000 + i));
  }
  write({history.back()});
  const std::string latest_sql =
      "SELECT xmin || '|' || measurement_time || '|' || response_time_microseconds"
      " FROM hc_latest";
  const std::string newest = query(latest_sql);
  ASSERT_NE(newest, "");

  write(history);                               // the newest among older ones
  write({history[0]});                          // one old one alone
  write({history[2], history[1], history[3]});  // several, in any order
  EXPECT_EQ(query(latest_sql), newest);
  EXPECT_EQ(query("SELECT count(*) FROM hc"), "5");

  Measurement changed = history.back();
  changed.response_time_us = 7777;
  write({changed});
  EXPECT_EQ(query("SELECT measurement_time || '|' || response_time_microseconds FROM hc_latest"),
            query("SELECT measurement_time || '|' || response_time_microseconds FROM hc"
                  " ORDER BY measurement_time DESC LIMIT 1"));
  EXPECT_EQ(query("SELECT response_time_microseconds FROM hc_latest"), "7777");

  write({check("https://a.test/", kHour0 + minutes(9), 42)});
  EXPECT_EQ(query("SELECT response_time_microseconds FROM hc_latest"), "42");
  EXPECT_EQ(query("SELECT count(*) FROM hc_latest"), "1");
}

// Each site's newest row reaches the latest table with every column as the measurements table
// holds it, whatever the text (tabs, newlines, backslashes, quotes, commas, braces, the words
// NULL and \N, empty strings and lists, non-ASCII) and whichever columns are NULL; for rows of
// a closed past hour and of now, written by COPY and again by the upsert with changed values;
// and the hours of the rows are marked.
TEST_F(RollupsTest, TheLatestTableHoldsEveryColumnOfEachSitesNewestRowExactly) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  const std::vector<std::string> awkward = {
      "tab\there", "line\nbreak\r",   "back\\slash \\N", "\"quoted\", {braced}", "NULL",
      "",          "caf\u00e9 \u2713"};
  std::vector<Measurement> batch;
  for (std::size_t site = 0; site < awkward.size(); ++site) {
    const std::string& text = awkward[site];
    const std::string& other = awkward[(site + 1) % awkward.size()];
    const WallTime last = site % 2 == 0 ? kHour0 + minutes(50) : now - seconds(1);
    for (int i = 0; i < 3; ++i) {
      Measurement m =
          check(fmt::format("https://site-{}.test/{}", site, text), last - minutes(10 * i),
                1000 + static_cast<std::int64_t>(site) * 10 + i);
      m.error = text;
      m.error_detail = other;
      m.regex = site % 3 == 0 ? std::optional<std::string>(text) : std::nullopt;
      m.regex_match = site % 3 == 0 ? std::optional<bool>(i % 2 == 0) : std::nullopt;
      m.failed_conditions =
          site % 2 == 0 ? std::vector<std::string>{text, other} : std::vector<std::string>{};
      m.timings.dns_us = site % 2 == 0 ? std::optional<std::int64_t>(17) : std::nullopt;
      m.cert_expires_at = site % 2 == 1 ? std::optional<WallTime>(kHour0) : std::nullopt;
      m.attempts = 1 + i;
      m.check_type = site % 3 == 1 ? std::optional<std::string>("dns") : std::nullopt;
      m.dns_rcode = m.check_type ? std::optional<std::string>(text) : std::nullopt;
      m.dns_answers = {other, text, ""};
      m.address = site % 3 == 2 ? std::optional<std::string>(text) : std::nullopt;
      batch.push_back(std::move(m));
    }
  }
  // The newest row per site against the latest table, every column (as jsonb: by name), and
  // the marked hours against the rows' hours.
  const std::string differing_sql =
      "SELECT count(*) FROM (SELECT DISTINCT ON (url_digest) * FROM hc"
      " ORDER BY url_digest, measurement_time DESC) newest FULL JOIN hc_latest latest"
      " USING (url_digest) WHERE to_jsonb(newest) IS DISTINCT FROM to_jsonb(latest)";

  write(batch);
  EXPECT_EQ(query("SELECT count(*) FROM hc_latest"), std::to_string(awkward.size()));
  EXPECT_EQ(query(differing_sql), "0");
  EXPECT_EQ(query(kMarkedHours), query(kRowHours));

  for (auto& m : batch) {  // replayed with other values: the upsert path
    m.response_time_us += 5;
    m.error_detail = m.error.value_or("") + "\t2";
    m.failed_conditions.emplace_back("\\\"");
  }
  write(batch);
  EXPECT_EQ(query("SELECT count(*) FROM hc"), std::to_string(batch.size()));
  EXPECT_EQ(query(differing_sql), "0");
  EXPECT_EQ(query("SELECT count(*) FROM hc_latest WHERE error_detail LIKE '%' || chr(9) || '2'"),
            std::to_string(awkward.size()));
  EXPECT_EQ(query(kMarkedHours), query(kRowHours));
}

// Kafka redelivers a whole batch (the consumer died after the commit to PostgreSQL, before the
// offset commit) whose rows fall in the catch-all partition, today's and tomorrow's: written
// again by the same writer (the fast COPY meets the existing keys and takes the upsert) and by
// a fresh one, nothing is duplicated, the latest table holds each site's newest row, every hour
// of the rows is marked, and the closed rollup is the aggregate of the raw rows.
TEST_F(RollupsTest, ARedeliveredBatchAcrossPartitionsLeavesExactRowsLatestAndRollups) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  const WallTime today = day_floor(now);
  const std::vector<WallTime> starts = {kHour0, today, today + hours(24) + hours(2)};
  std::vector<Measurement> batch;
  for (std::size_t part = 0; part < starts.size(); ++part) {
    for (int site = 0; site < 4; ++site) {
      for (int i = 0; i < 30; ++i) {  // two hours of each part
        batch.push_back(check(fmt::format("https://site-{}.test/", site),
                              starts[part] + minutes(i * 4) + seconds(site),
                              1000 + static_cast<std::int64_t>(part) * 100 + i));
      }
    }
  }
  write(batch);
  const std::string partitions_sql =
      "SELECT string_agg(p || '=' || n, ',' ORDER BY p) FROM (SELECT tableoid::regclass::text AS"
      " p, count(*) AS n FROM hc GROUP BY 1) c";
  const std::string per_partition = query(partitions_sql);
  ASSERT_EQ(std::ranges::count(per_partition, '='), 3) << per_partition;
  const std::string latest_sql =
      "SELECT string_agg(concat_ws('|', url_digest, measurement_time, response_time_microseconds),"
      " ',' ORDER BY url_digest) FROM hc_latest";
  const std::string newest_sql =
      "SELECT string_agg(concat_ws('|', url_digest, measurement_time, response_time_microseconds),"
      " ',' ORDER BY url_digest) FROM (SELECT DISTINCT ON (url_digest) * FROM hc"
      " ORDER BY url_digest, measurement_time DESC) n";

  write(batch);  // redelivered to the same writer
  TableRows again;
  for (const auto& m : batch) again.add(m);
  TableWriter(uri(), {{"hc"}}).write({&again});  // and to a fresh one (its first try is COPY)

  EXPECT_EQ(query("SELECT count(*) || '/' || count(DISTINCT (url_digest, measurement_time))"
                  " FROM hc"),
            fmt::format("{}/{}", batch.size(), batch.size()));
  EXPECT_EQ(query(partitions_sql), per_partition);
  EXPECT_EQ(query("SELECT count(*) FROM hc_latest"), "4");
  EXPECT_EQ(query(latest_sql), query(newest_sql));
  EXPECT_EQ(query(kMarkedHours), query(kRowHours));
  EXPECT_EQ(std::ranges::count(query(kRowHours), ','), 5);  // six hours, two per partition

  const RollupClose closed = close(starts.back() + hours(3));
  EXPECT_EQ(closed.hours_closed, 6u);
  EXPECT_EQ(query(fmt::format("SELECT count(*) FROM (({} EXCEPT {}) UNION ALL ({} EXCEPT {})) d",
                              kDirectAggregate, kRollupNumbers, kRollupNumbers, kDirectAggregate)),
            "0");
  EXPECT_EQ(query("SELECT count(*) FROM hc_hourly_rollup"), "24");
}

// The C++ percentile of `hc status` (LatencyHistogram) against the SQL definition,
// hc_histogram_percentile, on random histograms: sparse and dense, one check, huge counts,
// checks past the last bound, min and max inside and at the buckets' edges.
TEST_F(RollupsTest, TheCppPercentileIsTheSqlPercentile) {
  std::uint64_t state = 99;
  auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  std::vector<std::string> cases;
  std::vector<LatencyHistogram> histograms;
  std::vector<std::pair<std::int64_t, std::int64_t>> min_max;
  for (int c = 0; c < 400; ++c) {
    LatencyHistogram histogram;
    std::vector<std::int64_t> per_bucket(kLatencyBuckets, 0);
    const auto filled = 1 + next(c % 4 == 0 ? 62 : 4);
    for (std::uint64_t i = 0; i < filled; ++i) {
      const auto bucket = next(kLatencyBuckets);
      per_bucket[bucket] += c % 7 == 0 ? static_cast<std::int64_t>(next(2'000'000)) + 1
                                       : static_cast<std::int64_t>(next(40)) + 1;
    }
    std::vector<std::int64_t> cumulative;
    std::int64_t sum = 0;
    std::size_t first = kLatencyBuckets;
    std::size_t last = 0;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      if (per_bucket[b] > 0) {
        first = std::min(first, b);
        last = b;
        histogram.add_bucket(static_cast<int>(b + 1), per_bucket[b]);
      }
      sum += per_bucket[b];
      cumulative.push_back(sum);
    }
    // min and max inside the first and last filled buckets (or on their bounds).
    const std::int64_t lower = first > 0 ? kLatencyBucketBoundsUs[first - 1] : 0;
    const std::int64_t upper =
        last < kLatencyBucketBoundsUs.size() ? kLatencyBucketBoundsUs[last] : 200'000'000;
    const std::int64_t min_us = c % 5 == 0 ? lower : lower + static_cast<std::int64_t>(next(2));
    const std::int64_t max_us =
        c % 3 == 0 ? upper - 1 : std::max(min_us, upper - 1 - static_cast<std::int64_t>(next(3)));
    cases.push_back(fmt::format("({}, '{{{}}}'::int[], {}, {})", c, fmt::join(cumulative, ","),
                                min_us, max_us));
    histograms.push_back(histogram);
    min_max.emplace_back(min_us, max_us);
  }
  for (const double fraction : {0.0, 0.01, 0.5, 0.95, 0.99, 1.0}) {
    const std::string sql_values = query(fmt::format(
        "SELECT string_agg(hc_histogram_percentile(h, {}, mn, mx)::text, ' ' ORDER BY c)"
        " FROM (VALUES {}) AS t(c, h, mn, mx)",
        fraction, fmt::join(cases, ",")));
    std::istringstream in(sql_values);
    for (std::size_t c = 0; c < histograms.size(); ++c) {
      double sql_value = 0;
      ASSERT_TRUE(in >> sql_value) << "case " << c << ": " << sql_values;
      const auto cpp_value =
          histograms[c].percentile(fraction, min_max[c].first, min_max[c].second);
      ASSERT_TRUE(cpp_value) << "case " << c;
      EXPECT_NEAR(*cpp_value, sql_value, 1e-9 * std::max(1.0, sql_value))
          << "case " << c << " " << cases[c] << " fraction " << fraction;
    }
  }
}

// `hc status`'s window numbers, whichever part of the window its checks are in (the partial
// first hour and the open hour from raw rows, closed hours from the rollup, a closed hour whose
// late rows wait for the next close from raw rows again): equal to those of the window's raw
// rows taken as one histogram (checks and up checks exactly; percentiles as the SQL
// definition computes them, to the microsecond).
TEST_F(RollupsTest, TheStatusWindowIsItsRawRowsWhicheverPartTheyAreIn) {
  write(three_sites_three_hours());       // hours 0..2
  close(kHour0 + hours(2) + minutes(5));  // hours 0 and 1 closed, hour 2 open
  Measurement late = check("https://site-1.test/", kHour0 + hours(1) + minutes(30), 7'777'777);
  Measurement late_error = check("https://site-2.test/", kHour0 + hours(1) + minutes(31), 55);
  late_error.error = "tls";
  late_error.healthy = false;
  write({late, late_error});  // hour 1 has pending markers now
  ASSERT_EQ(query("SELECT string_agg(DISTINCT hour::text, ',') FROM hc_rollup_pending"),
            "2026-01-01 01:00:00+00,2026-01-01 02:00:00+00");  // late hour 1, open hour 2

  const WallTime now = kHour0 + hours(2) + minutes(40);
  for (const minutes window : {minutes(25), minutes(110), minutes(160), minutes(540)}) {
    expect_status_window_is_its_raw_rows(now, window);
  }
}

// Checks of three sites every 20 minutes over hours [from, to) of the test's clock, response
// times over three decades, every 9th an error.
std::vector<Measurement> three_sites_every_20_minutes(int from_hour, int to_hour) {
  std::vector<Measurement> rows;
  for (int site = 0; site < 3; ++site) {
    for (int i = from_hour * 3; i < to_hour * 3; ++i) {
      Measurement m =
          check(fmt::format("https://site-{}.test/", site), kHour0 + minutes(20 * i + site),
                150 + static_cast<std::int64_t>(i * 7919 % 997) * (site + 1) * 97);
      if (i % 9 == site) {
        m.error = "timeout";
        m.healthy = false;
      }
      rows.push_back(std::move(m));
    }
  }
  return rows;
}

// A day's row is the sum of its closed hours; closing again rewrites nothing, and a late row for
// a closed day reaches the day at the next close.
TEST_F(RollupsTest, ADayIsTheSumOfItsHoursAndALateRowReachesItAtTheNextClose) {
  write(three_sites_every_20_minutes(0, 30));  // day 0 and 6 hours of day 1
  close(kHour0 + hours(30) + minutes(5));
  const std::string sums_of_hours =
      "SELECT string_agg(concat_ws('|', day, url_digest, checks, up_checks, min_us, max_us,"
      " sum_us, histogram), E'\n' ORDER BY day, url_digest) FROM (SELECT date_bin('1 day', hour,"
      " timestamptz '2000-01-01 00:00+00') AS day, url_digest, sum(checks) AS checks,"
      " sum(up_checks) AS up_checks, min(min_response_us) AS min_us, max(max_response_us) AS"
      " max_us, sum(sum_response_us) AS sum_us, " +
      histogram_sum_sql("latency_histogram") +
      " AS histogram FROM hc_hourly_rollup GROUP BY 1, 2) d";
  const std::string daily =
      "SELECT string_agg(concat_ws('|', day, url_digest, checks, up_checks, min_response_us,"
      " max_response_us, sum_response_us, latency_histogram), E'\n' ORDER BY day, url_digest)"
      " FROM hc_daily_rollup";
  ASSERT_EQ(query("SELECT count(*) FROM hc_daily_rollup"), "6");  // 3 sites, 2 days
  EXPECT_EQ(query(daily), query(sums_of_hours));

  const std::string versions = query(
      "SELECT string_agg(xmin::text, ',' ORDER BY day, url_digest)"
      " FROM hc_daily_rollup");
  write(three_sites_every_20_minutes(0, 30));  // a replay
  close(kHour0 + hours(30) + minutes(10));
  EXPECT_EQ(query("SELECT string_agg(xmin::text, ',' ORDER BY day, url_digest)"
                  " FROM hc_daily_rollup"),
            versions);

  Measurement late = check("https://site-0.test/", kHour0 + hours(5) + minutes(1), 99'000'000);
  write({late});
  const RollupClose closed = close(kHour0 + hours(30) + minutes(15));
  EXPECT_EQ(closed.days_closed, 1u);
  EXPECT_EQ(closed.daily_rows_written, 1u);
  EXPECT_EQ(query(daily), query(sums_of_hours));
  EXPECT_EQ(query("SELECT max_response_us FROM hc_daily_rollup WHERE day = '2026-01-01'"
                  " AND url_digest = sha256('https://site-0.test/'::bytea)"),
            "99000000");
}

// `hc status` over windows of days: whole closed days from the daily rollup, a closed day with
// a late row not closed yet by its hours, the ragged edges from hours and raw rows, the open
// hour from raw rows. Each window equals its raw rows; a site whose checks are all older than
// the window is listed with no checks.
TEST_F(RollupsTest, TheStatusWindowOfDaysIsItsRawRowsWhicheverRelationTheyAreIn) {
  write(three_sites_every_20_minutes(0, 24 * 5 + 7));  // days 0..4, 7 hours of day 5
  write({check("https://gone.test/", kHour0 + hours(1) + minutes(3), 900)});
  close(kHour0 + hours(24 * 5 + 7) + minutes(5));                  // closed until day 5 07:00
  ASSERT_EQ(query("SELECT count(*) FROM hc_daily_rollup"), "19");  // 3 sites x 6 days, gone.test 1
  Measurement late =
      check("https://site-2.test/", kHour0 + hours(24 * 2 + 10) + minutes(4), 3'000'000);
  late.error = "timeout";
  late.healthy = false;
  write({late});  // day 2 has a pending hour now: read by its hours, the late one from raw rows

  const WallTime now = kHour0 + hours(24 * 5 + 7) + minutes(40);
  for (const minutes window : std::vector<minutes>{
           minutes(25), hours(24), hours(30) + minutes(17), hours(24 * 3 + 5) + minutes(13),
           hours(24 * 4 + 7) + minutes(40), hours(24 * 4 + 20) + minutes(50), hours(24 * 7)}) {
    expect_status_window_is_its_raw_rows(now, window);
  }
  // Once the late hour is closed, day 2 comes from the daily rollup again: the same numbers.
  close(kHour0 + hours(24 * 5 + 7) + minutes(45));
  ASSERT_EQ(query("SELECT count(*) FROM hc_rollup_pending WHERE hour < '2026-01-06 07:00+00'"),
            "0");
  for (const minutes window :
       std::vector<minutes>{hours(24 * 4 + 20) + minutes(50), hours(24 * 7)}) {
    expect_status_window_is_its_raw_rows(now, window);
  }
}

// The status page's numbers, whichever relation each check is read from (days of the daily
// rollup, a closed day with a late row not closed yet, today's closed hours, the open hour):
// equal to those of the raw rows. 24 h: the 24 hours ending with the open one; 7 d and 30 d:
// UTC days ending today; the bar: one entry per day with checks.
TEST_F(RollupsTest, TheOverviewIsItsRawRowsWhicheverRelationTheyAreIn) {
  write(three_sites_every_20_minutes(0, 24 * 3 + 5));  // days 0..2, 5 hours of day 3
  close(kHour0 + hours(24 * 3 + 5) + minutes(5));
  Measurement late = check("https://site-1.test/", kHour0 + hours(30) + minutes(7), 4'000'000);
  late.error = "tls";
  late.healthy = false;
  write({late});  // day 1 has a pending hour: read from hours until the next close
  write({check("https://site-2.test/", kHour0 + hours(24 * 3 + 5) + minutes(12), 333)});  // open
  const WallTime now = kHour0 + hours(24 * 3 + 5) + minutes(30);

  ConsumerConfig config;
  config.topics.push_back(TopicSinkConfig{"measurements", postgres->uri(database_), "hc"});
  const Overview overview = read_status_overview(config, now, OverviewPage{});
  ASSERT_EQ(overview.sites.size(), 3u);
  EXPECT_EQ(overview.total_sites, 3u);

  const std::string now_text = format_timestamp(now);
  for (const auto& site : overview.sites) {
    const std::string digest = "sha256('" + site.url + "'::bytea)";
    auto counts = [&](const std::string& where) {
      return query(
          fmt::format("SELECT count(*) || '/' || count(*) FILTER (WHERE hc_measurement_up(healthy,"
                      " error)) FROM hc WHERE url_digest = {} AND {}",
                      digest, where));
    };
    auto text = [](const UptimeCount& count) {
      return std::to_string(count.checks) + "/" + std::to_string(count.up_checks);
    };
    const std::string hour = "date_bin('1 hour', '" + now_text + "'::timestamptz, '2000-01-01')";
    const std::string today = "date_bin('1 day', '" + now_text + "'::timestamptz, '2000-01-01')";
    EXPECT_EQ(text(site.uptime_24h),
              counts("measurement_time >= " + hour + " - interval '23 hours'"))
        << site.url;
    EXPECT_EQ(text(site.uptime_7d), counts("measurement_time >= " + today + " - interval '6 days'"))
        << site.url;
    EXPECT_EQ(text(site.uptime_30d),
              counts("measurement_time >= " + today + " - interval '29 days'"))
        << site.url;
    std::string bar;
    for (const auto& day : site.days) {
      bar += format_timestamp(day.day).substr(0, 10) + " " + text(day.count) + ";";
    }
    EXPECT_EQ(bar, query("SELECT string_agg(d || ' ' || n, ';' ORDER BY d) || ';' FROM (SELECT"
                         " to_char(date_bin('1 day', measurement_time, '2000-01-01'), 'YYYY-MM-DD')"
                         " AS d, count(*) || '/' || count(*) FILTER (WHERE hc_measurement_up("
                         "healthy, error)) AS n FROM hc WHERE url_digest = " +
                         digest + " GROUP BY 1) days"))
        << site.url;
    EXPECT_EQ(
        site.p95_response_us_24h ? std::to_string(*site.p95_response_us_24h) : "null",
        query(fmt::format("SELECT coalesce(hc_histogram_percentile({}, 0.95, min(min_response_us),"
                          " max(max_response_us))::bigint::text, 'null')"
                          " FROM hc_hourly_from_raw({} - interval '23 hours', 'infinity')"
                          " WHERE url_digest = {}",
                          histogram_sum_sql("latency_histogram"), hour, digest)))
        << site.url;
  }
}

// The window sums (window_sums.h): after a close, `hc status --since 24h|7d|30d` and the month
// reports read one row of sums per site for the window's closed hours, with the rest of the
// window from raw rows: exact against the raw rows. With every rollup row skewed after the
// close the numbers stay exact, which they would not if the readers summed the rollups. A late
// row makes its hours pending: the readers sum the rollups again (exact with them restored)
// until the next close, whose sums hold the late row.
TEST_F(RollupsTest, TheWindowSumsGiveTheWindowsAndMonthsOfTheRawRows) {
  write(three_sites_every_20_minutes(0, 24 * 36 + 7));  // Jan 1 to Feb 6 07:00
  const RollupClose closed = close(kHour0 + hours(24 * 36 + 7) + minutes(5));
  // 24 h, 7 d, 30 d ending at Feb 6 07:00, and the months the close recomputed: January whole,
  // February so far (the month of the hour before closed_until).
  EXPECT_EQ(window_ranges(),
            "01-01 00..02-01 00,01-07 08..02-06 07,01-30 08..02-06 07,02-01 00..02-06 07,"
            "02-05 08..02-06 07");
  EXPECT_EQ(closed.window_ranges, 5u);
  EXPECT_EQ(closed.window_rows, 15u);  // 3 sites each

  const WallTime now = kHour0 + hours(24 * 36 + 7) + minutes(40);
  write({check("https://site-0.test/", now - minutes(3), 5'000)});  // the open hour
  const std::vector<minutes> kept = {hours(24), hours(24 * 7), hours(24 * 30)};
  skew_rollups(1000);
  for (const minutes window : kept) expect_status_window_is_its_raw_rows(now, window);
  expect_month_is_its_raw_rows(now, "2026-01");
  expect_month_is_its_raw_rows(now, "2026-02");
  skew_rollups(-1000);
  // Windows without sums sum the rollups.
  expect_status_window_is_its_raw_rows(now, hours(50));

  Measurement late = check("https://site-1.test/", kHour0 + hours(24 * 35 + 2), 9'000'000);
  late.error = "timeout";
  late.healthy = false;
  write({late});  // Feb 5 02:00: in the 7 d and 30 d windows and February, not in 24 h
  for (const minutes window : kept) expect_status_window_is_its_raw_rows(now, window);
  expect_month_is_its_raw_rows(now, "2026-02");

  const RollupClose reclosed = close(kHour0 + hours(24 * 36 + 7) + minutes(45));
  EXPECT_EQ(reclosed.window_ranges, 3u);  // 7 d, 30 d, February: the ranges holding the hour
  skew_rollups(1000);
  for (const minutes window : kept) expect_status_window_is_its_raw_rows(now, window);
  expect_month_is_its_raw_rows(now, "2026-02");
}

// The ranges follow closed_until: at the next hour's close the rolling windows and the month so
// far move on, the whole months stay, and a late row of a past month recomputes that month
// alone. With a rollup retention, no range starts before it.
TEST_F(RollupsTest, TheWindowSumsMoveWithTheCloseAndRecomputeOnlyWhatChanged) {
  write(three_sites_every_20_minutes(0, 24 * 36 + 7));
  close(kHour0 + hours(24 * 36 + 7) + minutes(5));
  write(three_sites_every_20_minutes(24 * 36 + 7, 24 * 36 + 8));
  const RollupClose next = close(kHour0 + hours(24 * 36 + 8) + minutes(5));
  EXPECT_EQ(next.window_ranges, 4u);  // three rolling windows and February so far
  EXPECT_EQ(window_ranges(),
            "01-01 00..02-01 00,01-07 09..02-06 08,01-30 09..02-06 08,02-01 00..02-06 08,"
            "02-05 09..02-06 08");

  write({check("https://site-2.test/", kHour0 + hours(3), 7'000)});  // January 1st
  const RollupClose late = close(kHour0 + hours(24 * 36 + 8) + minutes(10));
  EXPECT_EQ(late.window_ranges, 1u);  // January
  EXPECT_EQ(late.window_rows, 3u);
  expect_month_is_its_raw_rows(kHour0 + hours(24 * 36 + 8) + minutes(20), "2026-01");

  // A quiet close computes nothing.
  EXPECT_EQ(close(kHour0 + hours(24 * 36 + 8) + minutes(15)).window_ranges, 0u);

  // A 10-day rollup retention: the 30 d window and January are not kept.
  close(kHour0 + hours(24 * 36 + 9) + minutes(5), 10);
  EXPECT_EQ(window_ranges(), "01-30 10..02-06 09,02-01 00..02-06 09,02-05 10..02-06 09");
  expect_status_window_is_its_raw_rows(kHour0 + hours(24 * 36 + 9) + minutes(20), hours(24 * 7));
}

}  // namespace
}  // namespace hc::store
