#include "hc/store/connection_pool.h"

#include <pqxx/nontransaction>
#include <utility>

namespace hc {
namespace {

// What makes two targets interchangeable: the conninfo and every session bound that
// open_connection sets.
std::string pool_key(const ConnectionTarget& target) {
  const SessionSettings& session = target.session;
  return target.conninfo + '\n' + std::to_string(session.statement_timeout.count()) + ' ' +
         std::to_string(session.lock_timeout.count());
}

// True when `connection` still answers: a round trip, since a server that ended the session
// is noticed only on the next read.
bool answers(pqxx::connection& connection) {
  if (!connection.is_open()) return false;
  try {
    pqxx::nontransaction probe(connection);
    probe.exec1("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;  // broken: the caller opens a fresh one
  }
}

}  // namespace

ConnectionPool::ConnectionPool(std::size_t max_idle_per_target)
    : max_idle_per_target_(max_idle_per_target) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ && connection_->is_open()) {
    pool_->give_back(key_, std::move(connection_));
  }
}

ConnectionPool::Lease ConnectionPool::lease(const ConnectionTarget& target) {
  std::string key = pool_key(target);
  for (;;) {
    std::unique_ptr<pqxx::connection> idle;
    {
      MutexLock lock(mutex_);
      auto found = idle_.find(key);
      if (found == idle_.end() || found->second.empty()) break;
      idle = std::move(found->second.back());
      found->second.pop_back();
    }
    // Checked outside the lock: a round trip must not hold up other leases.
    if (answers(*idle)) return Lease(this, std::move(key), std::move(idle));
  }
  return Lease(this, std::move(key), open_connection(target));
}

std::size_t ConnectionPool::idle(const ConnectionTarget& target) const {
  MutexLock lock(mutex_);
  auto found = idle_.find(pool_key(target));
  return found == idle_.end() ? 0 : found->second.size();
}

void ConnectionPool::give_back(const std::string& key,
                               std::unique_ptr<pqxx::connection> connection) {
  MutexLock lock(mutex_);
  auto& idle = idle_[key];
  if (idle.size() < max_idle_per_target_) idle.push_back(std::move(connection));
  // else: closed here, as the pool keeps no more
}

}  // namespace hc
