// The body and headers of each channel type, one format file each; render_request()
// (channel_request.cpp) picks one. Thread: any (pure).
#pragma once

#include <span>

#include "channel_request.h"

namespace hc::notify {

using Events = std::span<const Notification* const>;

// webhook_format.cpp: webhook_body() for one event, {"type":"state_change_group",
// "event_id":<group_id>,"events":[...]} for a group; with a template also "text". Headers
// X-HC-Event-Id and, with hmac_secret, X-HC-Timestamp and X-HC-Signature
// (webhook_signature.h).
ChannelRequest render_webhook(const NotifyChannel& channel, Events events,
                              const RenderContext& context);
// chat_formats.cpp: {"text": message_text} with Slack's mrkdwn escaping.
ChannelRequest render_slack(const NotifyChannel& channel, Events events,
                            const RenderContext& context);
// chat_formats.cpp: a message with one Adaptive Card holding message_text.
ChannelRequest render_teams(const NotifyChannel& channel, Events events,
                            const RenderContext& context);
// pagerduty_format.cpp: Events API v2 for one event; the webhook body becomes
// payload.custom_details.
ChannelRequest render_pagerduty(const NotifyChannel& channel, const Notification& notification,
                                const RenderContext& context);

}  // namespace hc::notify
