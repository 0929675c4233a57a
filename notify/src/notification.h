// One state change read from an events topic, with where it came from and its event id.
#pragma once

#include <cstdint>
#include <string>

#include "hc/common/state_event.h"

namespace hc::notify {

struct Notification {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  StateEvent event;
  std::string event_json;  // the record's value as read (for dead letters)
  std::string event_id;    // event_id(event)
};

}  // namespace hc::notify
