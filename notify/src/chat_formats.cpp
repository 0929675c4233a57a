// The Slack (incoming webhook) and Microsoft Teams (workflow webhook) bodies.
#include <nlohmann/json.hpp>

#include "channel_formats.h"
#include "summary_text.h"

namespace hc::notify {
namespace {

// Slack's mrkdwn treats &, < and > as control characters (links, mentions): escaped as
// Slack documents, so a URL or error detail can never ping a channel or forge a link.
std::string slack_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

ChannelRequest render_slack(const Notification& notification) {
  return ChannelRequest{dump({{"text", slack_escape(summary_text(notification))}}),
                        {{"X-HC-Event-Id", notification.event_id}}};
}

ChannelRequest render_teams(const Notification& notification) {
  const nlohmann::json card = {
      {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
      {"type", "AdaptiveCard"},
      {"version", "1.4"},
      {"body",
       nlohmann::json::array(
           {{{"type", "TextBlock"}, {"text", summary_text(notification)}, {"wrap", true}}})}};
  const nlohmann::json body = {
      {"type", "message"},
      {"attachments",
       nlohmann::json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                               {"contentUrl", nullptr},
                               {"content", card}}})}};
  return ChannelRequest{dump(body), {{"X-HC-Event-Id", notification.event_id}}};
}

}  // namespace hc::notify
