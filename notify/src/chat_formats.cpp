// The Slack (incoming webhook) and Microsoft Teams (workflow webhook) bodies.
#include <nlohmann/json.hpp>

#include "channel_formats.h"
#include "message_template.h"

namespace hc::notify {
namespace {

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// Slack's mrkdwn treats &, < and > as control characters (links, mentions): every value is
// escaped, so a URL or error detail can never ping a channel or forge a link.
ChannelRequest render_slack(const NotifyChannel& channel, Events events,
                            const RenderContext& context) {
  return ChannelRequest{dump({{"text", message_text(channel, events, context, slack_escape)}}),
                        {{"X-HC-Event-Id", group_id(events)}}};
}

ChannelRequest render_teams(const NotifyChannel& channel, Events events,
                            const RenderContext& context) {
  nlohmann::json blocks = nlohmann::json::array();
  // One TextBlock per line: Teams renders a block's newlines unreliably.
  const std::string text = message_text(channel, events, context, no_escaping);
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    blocks.push_back(
        {{"type", "TextBlock"}, {"text", text.substr(start, end - start)}, {"wrap", true}});
    start = end + 1;
  }
  const nlohmann::json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                               {"type", "AdaptiveCard"},
                               {"version", "1.4"},
                               {"body", blocks}};
  const nlohmann::json body = {
      {"type", "message"},
      {"attachments",
       nlohmann::json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                               {"contentUrl", nullptr},
                               {"content", card}}})}};
  return ChannelRequest{dump(body), {{"X-HC-Event-Id", group_id(events)}}};
}

}  // namespace hc::notify
