#include "channel_transport.h"

#include "http_poster.h"
#include "mail_sender.h"

namespace hc::notify {
namespace {

class HttpTransport final : public ChannelTransport {
 public:
  SendOutcome send(const NotifyChannel& channel, std::span<const Notification* const> events,
                   const RenderContext& context) override {
    return poster_.post(channel.url, render_request(channel, events, context), channel.timeout);
  }

 private:
  HttpPoster poster_;
};

class MailTransport final : public ChannelTransport {
 public:
  SendOutcome send(const NotifyChannel& channel, std::span<const Notification* const> events,
                   const RenderContext& context) override {
    return sender_.send(channel, render_mail(channel, events, context));
  }

 private:
  MailSender sender_;
};

}  // namespace

std::unique_ptr<ChannelTransport> make_transport(const NotifyChannel& channel) {
  if (channel.type == ChannelType::kEmail) return std::make_unique<MailTransport>();
  return std::make_unique<HttpTransport>();
}

}  // namespace hc::notify
