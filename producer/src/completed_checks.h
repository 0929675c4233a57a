// Checks that ended inside an event handler, held until the loop delivers them: a completion
// never runs inside start() or inside the handler that ended the check, where it could start
// or end other checks of the same checker. Used by the socket, dns and icmp checkers.
//
// Thread: the check loop's.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "http_checker.h"

namespace hc::producer {

class CompletedChecks {
 public:
  using Completion = std::function<void(CheckResult&&)>;

  void add(Completion done, CheckResult&& result) {
    ended_.emplace_back(std::move(done), std::move(result));
  }
  // Calls the completion of every check held (those a completion ends are held for the next
  // call); returns how many.
  std::size_t deliver() {
    std::vector<std::pair<Completion, CheckResult>> ended;
    ended.swap(ended_);
    for (auto& [done, result] : ended) done(std::move(result));
    return ended.size();
  }
  // Drops them uncalled (cancel_all).
  void clear() { ended_.clear(); }
  bool empty() const { return ended_.empty(); }
  std::size_t size() const { return ended_.size(); }

 private:
  std::vector<std::pair<Completion, CheckResult>> ended_;
};

}  // namespace hc::producer
