// The body and headers of each channel type, one format file each; render_request()
// (channel_request.cpp) picks one. Thread: any (pure).
#pragma once

#include <cstdint>
#include <string>

#include "channel_request.h"

namespace hc::notify {

// webhook_format.cpp: webhook_body() plus X-HC-Event-Id and, with hmac_secret,
// X-HC-Timestamp and X-HC-Signature (webhook_signature.h).
ChannelRequest render_webhook(const NotifyChannel& channel, const Notification& notification,
                              std::int64_t now_unix_s);
// chat_formats.cpp: {"text": summary} with Slack's mrkdwn escaping.
ChannelRequest render_slack(const Notification& notification);
// chat_formats.cpp: a message with one Adaptive Card holding the summary.
ChannelRequest render_teams(const Notification& notification);
// pagerduty_format.cpp: Events API v2; `webhook_json` becomes payload.custom_details.
ChannelRequest render_pagerduty(const NotifyChannel& channel, const Notification& notification,
                                const std::string& webhook_json);

}  // namespace hc::notify
