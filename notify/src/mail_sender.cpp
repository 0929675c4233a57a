#include "mail_sender.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <stdexcept>

#include "message_template.h"
#include "summary_text.h"

namespace hc::notify {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const std::string& item) {
  curl_slist* appended = curl_slist_append(list.get(), item.c_str());
  if (appended == nullptr) throw std::runtime_error("out of memory (curl_slist_append)");
  static_cast<void>(list.release());
  list.reset(appended);
}

// The message being uploaded, read by libcurl in pieces.
struct Upload {
  std::string data;
  std::size_t sent = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* opaque) {
  auto* upload = static_cast<Upload*>(opaque);
  const std::size_t bytes = std::min(size * count, upload->data.size() - upload->sent);
  upload->data.copy(buffer, bytes, upload->sent);
  upload->sent += bytes;
  return bytes;
}

// CRLF line ends, as SMTP requires (libcurl dot-stuffs lines starting with '.').
std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += '\r';
    out.push_back(c);
  }
  return out;
}

// A header value without CR/LF (a URL cannot inject headers).
std::string header_safe(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

Mail render_mail(const NotifyChannel& channel, std::span<const Notification* const> events,
                 const RenderContext& context) {
  Mail mail;
  std::string status(status_name(events[0]->event.to));
  for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  mail.subject = events.size() == 1 ? fmt::format("[hc] {} {}", status, events[0]->event.url)
                                    : fmt::format("[hc] {}: {} sites", status, events.size());
  mail.text = message_text(channel, events, context, no_escaping) + "\n";
  mail.html = "<!doctype html><html><body><ul>\n";
  for (const Notification* notification : events) {
    const std::string line = channel.template_text.empty()
                                 ? html_escape(summary_text(*notification))
                                 : render_template(channel.template_text, *notification,
                                                   context.public_url, html_escape);
    mail.html += "<li>" + line + "</li>\n";
  }
  mail.html += "</ul></body></html>\n";
  mail.message_id = "<" + group_id(events) + "@hc-notify>";
  return mail;
}

MailSender::MailSender() : handle_(curl_easy_init()) {
  if (!handle_) throw std::runtime_error("curl_easy_init failed");
}

MailSender::~MailSender() = default;

SendOutcome MailSender::send(const NotifyChannel& channel, const Mail& mail) {
  const std::string boundary = "hc-notify-" + mail.message_id.substr(1, 16);
  std::string to_header;
  for (const std::string& to : channel.mail_to) to_header += (to_header.empty() ? "" : ", ") + to;
  Upload upload;
  upload.data = crlf(fmt::format(
      "Date: {:%a, %d %b %Y %H:%M:%S +0000}\n"
      "From: {}\nTo: {}\nSubject: {}\nMessage-ID: {}\nMIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"{}\"\n\n"
      "--{}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{}\n"
      "--{}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{}\n"
      "--{}--\n",
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()), channel.mail_from,
      to_header, header_safe(mail.subject), mail.message_id, boundary, boundary, mail.text,
      boundary, mail.html, boundary));

  CURL* curl = handle_.get();
  curl_easy_reset(curl);
  Slist recipients;
  for (const std::string& to : channel.mail_to) append(recipients, "<" + to + ">");
  const std::string from = "<" + channel.mail_from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, channel.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   channel.smtp_allow_plaintext ? static_cast<long>(CURLUSESSL_NONE)
                                                : static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  if (!channel.smtp_username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, channel.smtp_username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, channel.smtp_password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(channel.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) return SendOutcome{SendOutcome::Kind::kAccepted, ""};
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  const std::string error = fmt::format("{}: {}{}", curl_easy_strerror(code),
                                        error_buffer[0] != '\0' ? error_buffer.data() : "no detail",
                                        reply != 0 ? fmt::format(" (SMTP {})", reply) : "");
  return SendOutcome{
      reply >= 500 && reply < 600 ? SendOutcome::Kind::kRefused : SendOutcome::Kind::kRetry, error};
}

}  // namespace hc::notify
