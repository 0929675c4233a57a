// The Postgres sink and its migrations against a real throwaway PostgreSQL 15.
#include "hc/store/table_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>
#include <pqxx/pqxx>
#include <thread>

#include "hc/common/url_digest.h"
#include "hc/store/pg_connection.h"
#include "hc/test/postgres_test.h"
#include "hc/test/support.h"
#include "measurement_columns.h"
#include "pg_migrations.h"

namespace hc::store {
namespace {

using std::chrono::microseconds;

Measurement row(const std::string& url, std::int64_t at_us, std::int64_t response_time_us) {
  Measurement m;
  m.url = url;
  m.url_digest = url_digest(url);
  m.measured_at = WallTime(microseconds(at_us));
  m.status_code = 200;
  m.response_time_us = response_time_us;
  m.body_bytes = 10;
  return m;
}

class TableWriterTest : public test::PostgresTest<TableWriterTest> {
 protected:
};

TEST_F(TableWriterTest, MigrationCreatesTheTableWithEveryDesignColumn) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  EXPECT_EQ(
      query("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)"
            " FROM information_schema.columns WHERE table_name = 'healthcheck'"),
      "url_digest:bytea,measurement_time:timestamp with time zone,"
      "response_time_microseconds:bigint,uri:text,status_code:integer,"
      "regex_present:boolean,regex_match:boolean,error:text,error_detail:text,"
      "dns_us:bigint,connect_us:bigint,tls_us:bigint,ttfb_us:bigint,body_bytes:bigint,"
      "cert_expires_at:timestamp with time zone,healthy:boolean,failed_conditions:ARRAY,"
      "body_truncated:boolean,attempts:smallint,check_type:text,tls_version:text,tls_cipher:text,"
      "chain_valid:boolean,chain_expires_at:timestamp with time zone,dns_rcode:text,"
      "dns_answers:ARRAY,address:text,rtt_min_us:bigint,rtt_avg_us:bigint,rtt_max_us:bigint,"
      "loss_percent:smallint");
  EXPECT_EQ(query("SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum))"
                  " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                  " AND a.attnum = ANY(i.indkey)"
                  " WHERE i.indrelid = 'healthcheck'::regclass AND i.indisprimary"),
            "url_digest,measurement_time");
}

TEST_F(TableWriterTest, MigrationIsIdempotent) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  sink.migrate();
  pqxx::connection connection(uri());
  EXPECT_TRUE(migrate_table(connection, "healthcheck", measurement_columns(), table_migrations(),
                            RouteKind::kMeasurements)
                  .empty());
  EXPECT_EQ(query("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                  "hc_schema_migrations WHERE table_name = 'healthcheck'"),
            "1,2,3,4,5,6,7,8,9,10,11");
}

TEST_F(TableWriterTest, ConcurrentMigratorsApplyEachVersionOnce) {
  std::vector<std::thread> migrators;
  migrators.reserve(4);
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    migrators.emplace_back([&] {
      try {
        TableWriter(uri(), {{"healthcheck"}, {"other"}}).migrate();
      } catch (const std::exception& error) {
        ADD_FAILURE() << error.what();
        ++failures;
      }
    });
  }
  for (auto& migrator : migrators) migrator.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(query("SELECT table_name || ':' || count(*) FROM hc_schema_migrations"
                  " GROUP BY table_name ORDER BY table_name"),
            "healthcheck:11\nother:11");
}

TEST_F(TableWriterTest, MigrationUpgradesASeedTableKeepingItsRows) {
  query(
      "CREATE TABLE healthcheck (url_digest bytea, measurement_time timestamptz,"
      " response_time_microseconds bigint, uri text, status_code int, regex_present bool,"
      " regex_match bool, PRIMARY KEY (url_digest, measurement_time));"
      "INSERT INTO healthcheck VALUES ('\\x01', now(), 5, 'https://seed/', 200, false, null)");
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  EXPECT_EQ(query("SELECT uri || ' ' || coalesce(error, 'no error') FROM healthcheck"),
            "https://seed/ no error");
}

TEST_F(TableWriterTest, WritesEveryFieldOfAMeasurement) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  Measurement m = row("https://example.com/a\tb\\c", 1'795'000'000'123'456, 4321);
  m.status_code.reset();
  m.error = "timeout";
  m.error_detail = "Operation timed out after 10000 ms";
  m.timings = {11, 22, std::nullopt, 44};
  m.regex = "Example";
  m.regex_match = false;
  m.body_bytes = 0;
  m.cert_expires_at = WallTime(microseconds(1'800'000'000'000'000));
  TableRows rows;
  rows.add(m);
  sink.write({&rows});
  EXPECT_EQ(query("SELECT encode(url_digest, 'hex') = '" + m.url_digest +
                  "', (extract(epoch from measurement_time) * 1000000)::bigint,"
                  " response_time_microseconds, uri, coalesce(status_code::text, 'null'),"
                  " regex_present, regex_match, error, error_detail, dns_us, connect_us,"
                  " coalesce(tls_us::text, 'null'), ttfb_us, body_bytes,"
                  " extract(epoch from cert_expires_at)::bigint FROM healthcheck"),
            "t|1795000000123456|4321|https://example.com/a\tb\\c|null|t|f|timeout|Operation timed "
            "out after "
            "10000 ms|11|22|null|44|0|1800000000");
}

TEST_F(TableWriterTest, UpsertIsIdempotentAndTheLatestValuesWin) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows first;
  for (int i = 0; i < 1000; ++i)
    first.add(row("https://site" + std::to_string(i % 10) + "/", i, 1));
  sink.write({&first});
  sink.write({&first});  // a replay of the whole batch
  TableRows replay_with_new_values;
  for (int i = 0; i < 1000; ++i) {
    replay_with_new_values.add(row("https://site" + std::to_string(i % 10) + "/", i, 2));
  }
  sink.write({&replay_with_new_values});
  EXPECT_EQ(query("SELECT count(*), sum(response_time_microseconds) FROM healthcheck"),
            "1000|2000");
}

// The rows' COPY text is sent in chunks (store/src/pg_writer.cpp copy_rows): ~1.5 MB here, so
// rows end at and straddle several chunk boundaries, and each must arrive whole.
TEST_F(TableWriterTest, ABatchWhoseCopyTextSpansSeveralChunksArrivesWhole) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows rows;
  constexpr int kRows = 5000;
  std::int64_t url_bytes = 0;
  for (int i = 0; i < kRows; ++i) {
    const std::string url =
        "https://site" + std::to_string(i) + "/" + std::string(200 + i % 97, 'p');
    url_bytes += static_cast<std::int64_t>(url.size());
    rows.add(row(url, 1'795'000'000'000'000 + i, i));
  }
  sink.write({&rows});
  EXPECT_EQ(query("SELECT count(*), sum(response_time_microseconds), sum(length(uri)),"
                  " bool_and(encode(url_digest, 'hex') = encode(sha256(uri::bytea), 'hex'))"
                  " FROM healthcheck"),
            fmt::format("{}|{}|{}|t", kRows, std::int64_t{kRows} * (kRows - 1) / 2, url_bytes));
}

TEST_F(TableWriterTest, ReplayingIdenticalRowsWritesNoNewRowVersion) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows rows;
  for (int i = 0; i < 100; ++i) rows.add(row("https://site" + std::to_string(i % 10) + "/", i, 1));
  sink.write({&rows});
  const std::string versions_sql =
      "SELECT string_agg(xmin::text, ',' ORDER BY url_digest, measurement_time) FROM healthcheck";
  const std::string first_versions = query(versions_sql);
  sink.write({&rows});  // conflicts: the upsert path, every value the same
  EXPECT_EQ(query(versions_sql), first_versions);

  TableRows one_changed;
  one_changed.add(row("https://site3/", 3, 99));
  sink.write({&one_changed});
  EXPECT_NE(query(versions_sql), first_versions);
  EXPECT_EQ(query("SELECT count(*), sum(response_time_microseconds) FROM healthcheck"), "100|198");
}

TEST_F(TableWriterTest, ABatchMixingNewAndExistingKeysUpsertsEveryRow) {
  TableWriter(uri(), {{"healthcheck"}}).migrate();
  TableRows first;
  for (int i = 0; i < 100; ++i) first.add(row("https://a/", i, 1));
  TableWriter(uri(), {{"healthcheck"}}).write({&first});
  TableRows overlapping;  // 50 existing keys, 50 new ones; a fresh sink tries COPY first
  for (int i = 50; i < 150; ++i) overlapping.add(row("https://a/", i, 2));
  TableWriter(uri(), {{"healthcheck"}}).write({&overlapping});
  EXPECT_EQ(query("SELECT count(*), sum(response_time_microseconds) FROM healthcheck"), "150|250");
}

TEST_F(TableWriterTest, SameKeyTwiceInOneBatchDoesNotFail) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows rows;
  rows.add(row("https://a/", 1, 10));
  rows.add(row("https://b/", 1, 20));
  rows.add(row("https://a/", 1, 30));  // a replayed message landing in the same batch
  ASSERT_NO_THROW(sink.write({&rows}));
  EXPECT_EQ(query("SELECT string_agg(uri || '=' || response_time_microseconds, ',' ORDER BY uri)"
                  " FROM healthcheck"),
            "https://a/=30,https://b/=20");
}

// With two lanes, a batch of one row leaves one lane empty: that lane must not even need
// the database (here: one that does not exist), while the other writes the row.
TEST_F(TableWriterTest, ALaneWithoutRowsOfItsOwnSendsNothing) {
  TableRows rows;
  rows.add(row("https://a/", 1, 10));
  const RowLane own{RowLane{0, 2}.holds(rows.rows()[0]) ? 0u : 1u, 2};
  const RowLane other{1 - own.index, 2};
  TableWriter missing(postgres->uri("no_such_database"), {{"healthcheck"}});
  EXPECT_NO_THROW(missing.write({&rows}, other));
  EXPECT_THROW(missing.write({&rows}, own), std::runtime_error);

  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  sink.write({&rows}, other);
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), "0");
  sink.write({&rows}, own);
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), "1");
}

TEST_F(TableWriterTest, WritesSeveralTablesOfOneDatabaseTogether) {
  TableWriter sink(uri(), {{"first"}, {"second"}});
  sink.migrate();
  TableRows a;
  a.add(row("https://a/", 1, 1));
  TableRows b;
  b.add(row("https://b/", 1, 1));
  b.add(row("https://b/", 2, 1));
  sink.write({&a, &b});
  EXPECT_EQ(query("SELECT (SELECT count(*) FROM first) || ',' || (SELECT count(*) FROM second)"),
            "1,2");
}

// The fast path's COPY into the second table meets an existing key after the first table's
// COPY went in: the transaction is written again whole, the second table upserting, so each
// table holds its rows exactly once with the batch's values, and so does each latest table.
TEST_F(TableWriterTest, AKeyExistingInTheSecondTableRewritesTheWholeBatchExactlyOnce) {
  TableWriter(uri(), {{"first"}, {"second"}}).migrate();
  TableRows earlier;
  earlier.add(row("https://b/", 1, 1));
  TableWriter(uri(), {{"second"}}).write({&earlier});

  TableWriter sink(uri(), {{"first"}, {"second"}});  // fresh: tries COPY first on both
  TableRows a;
  a.add(row("https://a/", 1, 5));
  a.add(row("https://a/", 2, 6));
  TableRows b;
  b.add(row("https://b/", 1, 7));  // the existing key, a new value
  b.add(row("https://b/", 2, 8));
  sink.write({&a, &b});
  EXPECT_EQ(query("SELECT (SELECT count(*) || ':' || sum(response_time_microseconds) FROM first)"
                  " || ',' || (SELECT count(*) || ':' || sum(response_time_microseconds)"
                  " FROM second)"),
            "2:11,2:15");
  EXPECT_EQ(query("SELECT (SELECT response_time_microseconds FROM first_latest) || ','"
                  " || (SELECT response_time_microseconds FROM second_latest)"),
            "6,8");

  TableRows later;  // the next batch of the second table goes straight to the upsert
  later.add(row("https://b/", 2, 9));
  later.add(row("https://b/", 3, 10));
  sink.write({nullptr, &later});
  EXPECT_EQ(query("SELECT count(*) || ':' || sum(response_time_microseconds) FROM second"), "3:26");
  EXPECT_EQ(query("SELECT response_time_microseconds FROM second_latest"), "10");
}

TEST_F(TableWriterTest, ReconnectsAfterTheServerRestarts) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows rows;
  rows.add(row("https://a/", 1, 1));
  sink.write({&rows});
  postgres->stop_server();
  rows.add(row("https://a/", 2, 1));
  EXPECT_THROW(sink.write({&rows}), std::runtime_error);
  EXPECT_THROW(sink.ping(), std::runtime_error);
  postgres->start_server();
  ASSERT_NO_THROW(sink.write({&rows}));
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), "2");
}

TEST_F(TableWriterTest, ErrorsNameTheDatabaseWithoutItsPassword) {
  TableWriter sink("postgresql://postgres:s3cret@127.0.0.1:1/nowhere", {{"healthcheck"}});
  try {
    sink.ping();
    FAIL() << "expected a connection error";
  } catch (const std::runtime_error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("postgresql://postgres@127.0.0.1:1/nowhere"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
}

TEST_F(TableWriterTest, EverySessionHasUtf8AndTheConfiguredBounds) {
  SessionSettings session;
  session.statement_timeout = std::chrono::milliseconds(4321);
  session.lock_timeout = std::chrono::milliseconds(1234);
  session.keepalives_idle = std::chrono::seconds(17);
  // The URI asks for LATIN1: COPY text is UTF-8 whatever the URI says.
  auto connection = open_connection(connection_target(uri() + "?client_encoding=LATIN1", session));
  pqxx::nontransaction txn(*connection);
  EXPECT_EQ(txn.exec1("SHOW statement_timeout")[0].as<std::string>(), "4321ms");
  EXPECT_EQ(txn.exec1("SHOW lock_timeout")[0].as<std::string>(), "1234ms");
  EXPECT_EQ(txn.exec1("SHOW client_encoding")[0].as<std::string>(), "UTF8");
  // TCP keepalives are set on our end of the socket.
  int keepalive = 0;
  int idle_seconds = 0;
  socklen_t size = sizeof keepalive;
  ASSERT_EQ(getsockopt(connection->sock(), SOL_SOCKET, SO_KEEPALIVE, &keepalive, &size), 0);
  size = sizeof idle_seconds;
  ASSERT_EQ(getsockopt(connection->sock(), IPPROTO_TCP, TCP_KEEPIDLE, &idle_seconds, &size), 0);
  EXPECT_EQ(keepalive, 1);
  EXPECT_EQ(idle_seconds, 17);
}

TEST_F(TableWriterTest, ErrorsCarryTheirClassRowDataForARowDefinitionForTheTable) {
  TableWriter sink(uri(), {{"healthcheck"}});
  sink.migrate();
  TableRows bad;
  Measurement with_nul = row("https://a/", 1, 1);
  with_nul.error_detail = std::string("before\0after", 12);
  bad.add(with_nul);
  try {
    sink.write({&bad});
    FAIL() << "a NUL in text is refused";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_class(), DbErrorClass::kRowData) << error.what();
    EXPECT_EQ(error.sqlstate(), "22021") << error.what();
  }
  EXPECT_NO_THROW(sink.check_table_accepts_rows(0));
  EXPECT_EQ(query("SELECT count(*) FROM healthcheck"), "0") << "the check leaves no row";
  query("ALTER TABLE healthcheck RENAME COLUMN body_bytes TO body_size");
  try {
    sink.check_table_accepts_rows(0);
    FAIL() << "a renamed column is refused";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_class(), DbErrorClass::kDefinition) << error.what();
    EXPECT_EQ(error.sqlstate(), "42703") << error.what();
  }
}

TEST_F(TableWriterTest, AWriteWaitingOnALockEndsAtLockTimeoutAsBusy) {
  SessionSettings session;
  session.lock_timeout = std::chrono::milliseconds(300);
  TableWriter sink(uri(), {{"healthcheck"}}, session);
  sink.migrate();
  auto locker = open_connection(connection_target(uri(), {}));
  pqxx::work lock(*locker);
  lock.exec0("LOCK TABLE healthcheck IN ACCESS EXCLUSIVE MODE");
  TableRows rows;
  rows.add(row("https://a/", 1, 1));
  try {
    sink.write({&rows});
    FAIL() << "the lock is held";
  } catch (const DbError& error) {
    EXPECT_EQ(error.error_class(), DbErrorClass::kBusy) << error.what();
    EXPECT_EQ(error.sqlstate(), "55P03") << error.what();
  }
  lock.commit();
  EXPECT_NO_THROW(sink.write({&rows}));
}

}  // namespace
}  // namespace hc::store
