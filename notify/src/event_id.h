// The idempotency key of a state change: the same event read twice (a replay after a crash,
// a rebalance) gets the same id, so receivers can fold duplicates.
//
// Thread: any (pure).
#pragma once

#include <string>
#include <string_view>

#include "hc/common/state_event.h"

namespace hc::notify {

// Lowercase hex SHA-256 of "url \n from \n to \n at" (at as in the event's JSON). Two
// different changes of one site never share `at` with the same from/to.
std::string event_id(const StateEvent& event);

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace hc::notify
