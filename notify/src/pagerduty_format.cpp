// The PagerDuty Events API v2 body: trigger on a change to down, resolve on a change to up,
// with dedup_key = SHA-256 of the URL, so PagerDuty folds repeats of one outage into one
// incident and a resolve closes it.
#include <nlohmann/json.hpp>

#include "channel_formats.h"
#include "hc/common/url_digest.h"
#include "message_template.h"
#include "route_table.h"

namespace hc::notify {

ChannelRequest render_pagerduty(const NotifyChannel& channel, const Notification& notification,
                                const RenderContext& context) {
  const StateEvent& event = notification.event;
  const bool trigger = event.to == SiteStatus::kDown;
  const Notification* one[] = {&notification};
  std::string summary = message_text(channel, one, context, no_escaping);
  if (summary.size() > 1024) summary.resize(1024);  // the API's limit
  nlohmann::json body = {{"routing_key", channel.routing_key},
                         {"event_action", trigger ? "trigger" : "resolve"},
                         {"dedup_key", url_digest(event.url)},
                         {"client", "hc"}};
  body["payload"] = {{"summary", summary},
                     {"source", event.url},
                     {"severity", "critical"},
                     {"timestamp", format_timestamp(event.at)},
                     {"component", check_type_of(event.url)},
                     {"custom_details", nlohmann::json::parse(webhook_body(notification))}};
  return ChannelRequest{body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                        {{"X-HC-Event-Id", notification.event_id}}};
}

}  // namespace hc::notify
