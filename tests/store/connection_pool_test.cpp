// ConnectionPool against a throwaway PostgreSQL: a returned connection is the next lease's
// (same backend), leases at once get distinct connections, the idle set is bounded, and a
// connection the server ended while idle is replaced, never handed out.
#include "hc/store/connection_pool.h"

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "hc/test/support.h"

namespace hc {
namespace {

int backend_pid(pqxx::connection& connection) {
  pqxx::nontransaction query(connection);
  return query.exec1("SELECT pg_backend_pid()")[0].as<int>();
}

// One server for the suite (starting one takes seconds); each test's pool is gone, and its
// connections closed, before the next test starts.
class ConnectionPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = std::make_unique<test::TempPostgres>(); }
  static void TearDownTestSuite() { server.reset(); }

  static inline std::unique_ptr<test::TempPostgres> server;
  test::TempPostgres& postgres_ = *server;
  ConnectionTarget target_ = connection_target(postgres_.uri(), SessionSettings{});
};

TEST_F(ConnectionPoolTest, AReturnedConnectionIsLeasedAgain) {
  ConnectionPool pool(2);
  int first = 0;
  {
    auto lease = pool.lease(target_);
    first = backend_pid(*lease);
  }
  EXPECT_EQ(pool.idle(target_), 1u);
  auto again = pool.lease(target_);
  EXPECT_EQ(backend_pid(*again), first);
  EXPECT_EQ(pool.idle(target_), 0u);
}

TEST_F(ConnectionPoolTest, LeasesAtOnceAreDistinctAndTheIdleSetIsBounded) {
  ConnectionPool pool(2);
  {
    std::vector<ConnectionPool::Lease> leases;
    std::vector<int> pids;
    for (int i = 0; i < 3; ++i) {
      leases.push_back(pool.lease(target_));
      pids.push_back(backend_pid(*leases.back()));
    }
    EXPECT_NE(pids[0], pids[1]);
    EXPECT_NE(pids[1], pids[2]);
    EXPECT_NE(pids[0], pids[2]);
  }
  EXPECT_EQ(pool.idle(target_), 2u);  // the third was closed on return
  EXPECT_TRUE(test::eventually(
      [&] {
        return postgres_.query(
                   "SELECT count(*) FROM pg_stat_activity WHERE backend_type ="
                   " 'client backend' AND pid <> pg_backend_pid()") == "2";
      },
      std::chrono::seconds(5)));
}

TEST_F(ConnectionPoolTest, AConnectionTheServerEndedIsReplacedNotLeased) {
  ConnectionPool pool(2);
  int ended = 0;
  {
    auto lease = pool.lease(target_);
    ended = backend_pid(*lease);
  }
  ASSERT_EQ(postgres_.query("SELECT pg_terminate_backend(" + std::to_string(ended) + ")"), "t");
  auto lease = pool.lease(target_);
  const int fresh = backend_pid(*lease);  // would throw on the ended connection
  EXPECT_NE(fresh, ended);
}

TEST_F(ConnectionPoolTest, ADiscardedLeaseIsNotKept) {
  ConnectionPool pool(2);
  {
    auto lease = pool.lease(target_);
    lease.discard();
  }
  EXPECT_EQ(pool.idle(target_), 0u);
}

TEST_F(ConnectionPoolTest, APoolThatKeepsNoneClosesEveryReturn) {
  ConnectionPool pool(0);
  { auto lease = pool.lease(target_); }
  EXPECT_EQ(pool.idle(target_), 0u);
}

}  // namespace
}  // namespace hc
