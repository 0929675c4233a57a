// Connections to PostgreSQL kept open between reads, for a long-lived reader (`hc serve`):
// a page then costs its queries, not a connection set-up (TCP, authentication, TLS, the
// session's SETs) per database per request.
//
// Connections are keyed by their ConnectionTarget (the conninfo and session bounds), so one
// pool serves any number of databases. At most `max_idle_per_target` idle connections are
// kept per target; a lease beyond them opens a new connection, and its return closes it
// when the idle set is full. An idle connection is checked with a round trip before it is
// leased again (the server may have ended it: restart, idle timeout, pg_terminate_backend):
// a dead one is dropped and a fresh one opened, so a reader never sees a stale connection.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "hc/common/mutex.h"
#include "hc/store/pg_connection.h"

namespace hc {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle_per_target = 4);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection on loan: returned to the pool when destroyed, unless it broke or
  // discard() was called.
  class Lease {
   public:
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *connection_; }
    pqxx::connection* operator->() const { return connection_.get(); }
    // Close it instead of returning it (e.g. its session state is unknown after an error).
    void discard() { connection_.reset(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::string key, std::unique_ptr<pqxx::connection> connection)
        : pool_(pool), key_(std::move(key)), connection_(std::move(connection)) {}
    ConnectionPool* pool_;
    std::string key_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // An idle connection to `target` that answered a round trip, or a new one
  // (open_connection). Throws what open_connection throws.
  Lease lease(const ConnectionTarget& target);

  // Idle connections kept for `target` (for tests and metrics).
  std::size_t idle(const ConnectionTarget& target) const;

 private:
  void give_back(const std::string& key, std::unique_ptr<pqxx::connection> connection);

  std::size_t max_idle_per_target_;  // set once, at construction
  mutable Mutex mutex_;
  std::map<std::string, std::vector<std::unique_ptr<pqxx::connection>>> idle_  // by key
      GUARDED_BY(mutex_);
};

}  // namespace hc
