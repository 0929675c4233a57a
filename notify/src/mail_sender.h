// The email channel: a plain-text + HTML mail per message, sent over SMTP with libcurl.
//
// smtp:// requires STARTTLS (the mail is refused if the server does not offer it), unless
// smtp_allow_plaintext; smtps:// is TLS from the start. smtp_username / smtp_password log in
// when set. The answer is sorted like HTTP's: a 5xx SMTP reply is kRefused (the same mail
// would be refused again), anything else that fails (no connection, 4xx) kRetry.
//
// Thread: one MailSender per channel thread.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <span>
#include <string>

#include "channel_request.h"
#include "channel_transport.h"

namespace hc::notify {

struct Mail {
  std::string subject;
  std::string text;        // text/plain part
  std::string html;        // text/html part (values escaped)
  std::string message_id;  // "<event id>@hc-notify": the same event, the same Message-ID
};

// Subject "[hc] DOWN https://..." (a group: "[hc] DOWN: 3 sites"), the channel's template or
// the summary per event as text, and the same lines HTML-escaped in a <ul>.
Mail render_mail(const NotifyChannel& channel, std::span<const Notification* const> events,
                 const RenderContext& context);

class MailSender {
 public:
  // Throws std::runtime_error if libcurl cannot make a handle.
  MailSender();
  ~MailSender();
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  SendOutcome send(const NotifyChannel& channel, const Mail& mail);

 private:
  struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  };
  std::unique_ptr<CURL, CurlDeleter> handle_;
};

}  // namespace hc::notify
