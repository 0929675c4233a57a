#include "channel_request.h"

#include <stdexcept>

#include "channel_formats.h"

namespace hc::notify {

ChannelRequest render_request(const NotifyChannel& channel, const Notification& notification,
                              std::int64_t now_unix_s) {
  ChannelRequest request;
  switch (channel.type) {
    case ChannelType::kWebhook:
      request = render_webhook(channel, notification, now_unix_s);
      break;
    case ChannelType::kSlack:
      request = render_slack(notification);
      break;
    case ChannelType::kTeams:
      request = render_teams(notification);
      break;
    case ChannelType::kPagerduty:
      request = render_pagerduty(channel, notification, webhook_body(notification));
      break;
    case ChannelType::kEmail:
      throw std::logic_error("an email channel sends mail, not HTTP requests");
  }
  for (const auto& header : channel.headers) request.headers.push_back(header);
  return request;
}

}  // namespace hc::notify
