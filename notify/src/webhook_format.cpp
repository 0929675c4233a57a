// The webhook channel's body and headers.
#include <nlohmann/json.hpp>

#include "channel_formats.h"
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

}  // namespace

std::string webhook_body(const Notification& notification) {
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
  // Error details copied from a server may hold invalid UTF-8: replaced, never thrown on.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ChannelRequest render_webhook(const NotifyChannel& channel, const Notification& notification,
                              std::int64_t now_unix_s) {
  ChannelRequest request;
  request.body = webhook_body(notification);
  request.headers.emplace_back("X-HC-Event-Id", notification.event_id);
  if (!channel.hmac_secret.empty()) {
    request.headers.emplace_back("X-HC-Timestamp", std::to_string(now_unix_s));
    request.headers.emplace_back("X-HC-Signature",
                                 webhook_signature(channel.hmac_secret, now_unix_s, request.body));
  }
  return request;
}

}  // namespace hc::notify
