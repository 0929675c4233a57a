// How a channel's messages leave: an HTTP POST (webhook, slack, teams, pagerduty) or a mail
// over SMTP (email). The channel worker only asks for a send and reads the outcome.
//
// Thread: one object per channel thread; not shared.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "channel_request.h"
#include "hc/common/notify_config.h"

namespace hc::notify {

struct SendOutcome {
  enum class Kind { kAccepted, kRetry, kRefused };
  Kind kind = Kind::kRetry;
  std::string error;  // for kRetry / kRefused: "HTTP 500", "connect: Connection refused", ...
};

class ChannelTransport {
 public:
  virtual ~ChannelTransport() = default;
  // Sends one message about `events` (one, or a group of one from -> to).
  virtual SendOutcome send(const NotifyChannel& channel,
                           std::span<const Notification* const> events,
                           const RenderContext& context) = 0;
};

// The transport of `channel.type`. Throws std::runtime_error if libcurl cannot make a handle.
std::unique_ptr<ChannelTransport> make_transport(const NotifyChannel& channel);

}  // namespace hc::notify
