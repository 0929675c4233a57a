// What one delivery sends: the body and headers of the POST a channel makes for one event,
// or for a group of events of one kind (group_window_s). Each channel type's format lives in
// its own file (channel_formats.h); this is the one place that picks it.
//
// Thread: any (pure).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
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

// What every format needs besides the events.
struct RenderContext {
  std::int64_t now_unix_s = 0;  // the signing time of a webhook (X-HC-Timestamp)
  std::string_view public_url;  // for {page}; may be empty
};

// REQUIRES: !notifications.empty(); more than one only for channels that group (not
// pagerduty), all of one from -> to.
ChannelRequest render_request(const NotifyChannel& channel,
                              std::span<const Notification* const> notifications,
                              const RenderContext& context);

// The webhook format of one event (documented in the README, "Notifications"):
//   {"event_id":"<hex>","type":"state_change","url":"...","from":"up","to":"down",
//    "at":"2026-12-04T10:00:03.000000Z","cause":{...}|null,"since":"..."|null,
//    "previous_duration_s":3603|null,"topic":"healthcheck.events","check_type":"http"}
// `cause` as in the event (failed_conditions, error, error_detail, status_code).
std::string webhook_body(const Notification& notification);

// The id of a group of events: SHA-256 over their ids, in order; one event's own id.
std::string group_id(std::span<const Notification* const> notifications);

// The lines a text message shows: one per event (the channel's template, or the built-in
// summary), each escaped with `escape`; for a group, a first line "DOWN: 3 sites" above them.
std::string message_text(const NotifyChannel& channel,
                         std::span<const Notification* const> notifications,
                         const RenderContext& context, std::string (*escape)(std::string_view));

}  // namespace hc::notify
