#include "channel_request.h"

#include <fmt/format.h>

#include <stdexcept>

#include "channel_formats.h"
#include "event_id.h"
#include "message_template.h"
#include "summary_text.h"

namespace hc::notify {

std::string group_id(std::span<const Notification* const> notifications) {
  if (notifications.size() == 1) return notifications[0]->event_id;
  std::string ids;
  for (const Notification* notification : notifications) ids += notification->event_id + "\n";
  return sha256_hex(ids);
}

std::string message_text(const NotifyChannel& channel,
                         std::span<const Notification* const> notifications,
                         const RenderContext& context, std::string (*escape)(std::string_view)) {
  std::string text;
  if (notifications.size() > 1) {
    std::string status(status_name(notifications[0]->event.to));
    for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    text = fmt::format("{}: {} sites\n", status, notifications.size());
  }
  for (std::size_t i = 0; i < notifications.size(); ++i) {
    if (i > 0) text += "\n";
    text +=
        channel.template_text.empty()
            ? escape(summary_text(*notifications[i]))
            : render_template(channel.template_text, *notifications[i], context.public_url, escape);
  }
  return text;
}

ChannelRequest render_request(const NotifyChannel& channel,
                              std::span<const Notification* const> notifications,
                              const RenderContext& context) {
  if (notifications.empty()) throw std::invalid_argument("render_request: no events");
  ChannelRequest request;
  switch (channel.type) {
    case ChannelType::kWebhook:
      request = render_webhook(channel, notifications, context);
      break;
    case ChannelType::kSlack:
      request = render_slack(channel, notifications, context);
      break;
    case ChannelType::kTeams:
      request = render_teams(channel, notifications, context);
      break;
    case ChannelType::kPagerduty:
      request = render_pagerduty(channel, *notifications[0], context);
      break;
    case ChannelType::kEmail:
      throw std::logic_error("an email channel sends mail, not HTTP requests");
  }
  for (const auto& header : channel.headers) request.headers.push_back(header);
  return request;
}

}  // namespace hc::notify
