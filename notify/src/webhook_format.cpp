// The webhook channel's body and headers.
#include <nlohmann/json.hpp>

#include "channel_formats.h"
#include "message_template.h"
#include "route_table.h"
#include "webhook_signature.h"

namespace hc::notify {
namespace {

nlohmann::json cause_json(const std::optional<StateCause>& cause) {
  if (!cause) return nullptr;
  nlohmann::json json = {{"failed_conditions", cause->failed_conditions},
                         {"error", nullptr},
                         {"error_detail", cause->error_detail},
                         {"status_code", nullptr}};
  if (cause->error) json["error"] = *cause->error;
  if (cause->status_code) json["status_code"] = *cause->status_code;
  return json;
}

nlohmann::json event_json(const Notification& notification) {
  const StateEvent& event = notification.event;
  nlohmann::json body = {{"event_id", notification.event_id},
                         {"type", "state_change"},
                         {"url", event.url},
                         {"from", status_name(event.from)},
                         {"to", status_name(event.to)},
                         {"at", format_timestamp(event.at)},
                         {"cause", cause_json(event.cause)},
                         {"since", nullptr},
                         {"previous_duration_s", nullptr},
                         {"topic", notification.topic},
                         {"check_type", check_type_of(event.url)}};
  if (event.since) body["since"] = format_timestamp(*event.since);
  if (event.previous_duration_s) body["previous_duration_s"] = *event.previous_duration_s;
  return body;
}

// Error details copied from a server may hold invalid UTF-8: replaced, never thrown on.
std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string webhook_body(const Notification& notification) {
  return dump(event_json(notification));
}

ChannelRequest render_webhook(const NotifyChannel& channel, Events events,
                              const RenderContext& context) {
  nlohmann::json body;
  if (events.size() == 1) {
    body = event_json(*events[0]);
  } else {
    body = {{"type", "state_change_group"},
            {"event_id", group_id(events)},
            {"events", nlohmann::json::array()}};
    for (const Notification* notification : events)
      body["events"].push_back(event_json(*notification));
  }
  if (!channel.template_text.empty())
    body["text"] = message_text(channel, events, context, no_escaping);
  ChannelRequest request;
  request.body = dump(body);
  request.headers.emplace_back("X-HC-Event-Id", group_id(events));
  if (!channel.hmac_secret.empty()) {
    request.headers.emplace_back("X-HC-Timestamp", std::to_string(context.now_unix_s));
    request.headers.emplace_back(
        "X-HC-Signature", webhook_signature(channel.hmac_secret, context.now_unix_s, request.body));
  }
  return request;
}

}  // namespace hc::notify
