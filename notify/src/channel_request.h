// What one delivery sends: the body and headers of the POST a channel makes for an event.
// Each channel type's format lives in its own file (webhook_format.cpp, ...); this is the
// one place that picks it.
//
// Thread: any (pure).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hc/common/notify_config.h"
#include "notification.h"

namespace hc::notify {

struct ChannelRequest {
  std::string body;  // JSON
  // Besides Content-Type: application/json; the channel's own headers come last.
  std::vector<std::pair<std::string, std::string>> headers;
};

// `now_unix_s`: the signing time of a webhook (X-HC-Timestamp).
ChannelRequest render_request(const NotifyChannel& channel, const Notification& notification,
                              std::int64_t now_unix_s);

// The webhook format (documented in the README, "Notifications"):
//   {"event_id":"<hex>","type":"state_change","url":"...","from":"up","to":"down",
//    "at":"2026-12-04T10:00:03.000000Z","cause":{...}|null,"since":"..."|null,
//    "previous_duration_s":3603|null,"topic":"healthcheck.events","check_type":"http"}
// `cause` as in the event (failed_conditions, error, error_detail, status_code).
std::string webhook_body(const Notification& notification);

}  // namespace hc::notify
