// The healthcheck-notify-config section: who is told about state changes, and how.
//
// Contract (as for the rest of Config): a NotifyConfig from load_config() is valid: channel
// names unique, every route names existing channels, URLs parse, regexes compile under RE2,
// every !ENV variable resolved. hc_notify trusts it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hc/common/kafka_settings.h"

namespace hc {

// What a channel speaks. Indexed names in notify_channel_type_name().
enum class ChannelType { kWebhook, kSlack, kTeams, kPagerduty, kEmail };

// "webhook", "slack", "teams", "pagerduty", "email".
std::string_view notify_channel_type_name(ChannelType type);

// How often and how long one delivery is tried before it is dead-lettered. Attempt n (from
// 1) waits initial_backoff * 2^(n-1), at most max_backoff, times a jitter factor in
// [0.5, 1) (hc_notify's retry_backoff.h); the budget ends at max_attempts or once the next
// attempt would start later than max_retry after the first.
struct RetrySettings {
  int max_attempts = 8;                             // 1 .. 100
  std::chrono::milliseconds max_retry{300000};      // max_retry_s: 1 .. 86400 s
  std::chrono::milliseconds initial_backoff{1000};  // 1 .. 600000 ms
  std::chrono::milliseconds max_backoff{60000};     // 1 .. 3600000 ms
};

struct NotifyChannel {
  std::string name;  // [A-Za-z0-9_.-]{1,64}: a metric label and an offset-metadata key
  ChannelType type = ChannelType::kWebhook;
  // Where requests go: an http(s) URL. For pagerduty the Events API v2 endpoint
  // (default https://events.pagerduty.com/v2/enqueue).
  std::string url;
  std::string hmac_secret;  // webhook: signs each body when non-empty; secret: never logged
  std::string routing_key;  // pagerduty: the integration key; secret: never logged
  // Extra request headers (name, value); values may be secrets: never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};  // one request, 100 .. 300000 ms
  RetrySettings retry;

  // Against flapping and storms (all off by default):
  // a change to down is sent only once the site has been down for_s (from the event's `at`);
  // a change back to up within it cancels both.
  std::chrono::seconds for_s{0};
  // While a site stays down after its notification, a reminder this often; 0 = none.
  std::chrono::seconds repeat_every{0};
  // Changes of one kind (from -> to) within this window go out as one message; 0 = each alone.
  std::chrono::seconds group_window{0};
  int rate_limit_per_minute = 0;  // requests; 0 = no limit; beyond it requests wait

  // The message's text with {url}, {from}, {to}, {cause}, {since}, {duration},
  // {failed_conditions}, {at}, {event_id}, {page}; empty = the built-in summary.
  std::string template_text;

  // email: SMTP through libcurl (smtp:// with STARTTLS required, or smtps://).
  std::string mail_from;
  std::vector<std::string> mail_to;
  std::string smtp_username;
  std::string smtp_password;          // secret: never logged
  bool smtp_allow_plaintext = false;  // smtp:// without STARTTLS (loopback test receivers)
};

// A planned silence: matching events are recorded as silenced, not sent. Either an absolute
// range [starts_at, ends_at) or a weekly window (days of week, minutes from midnight) in
// `time_zone` (IANA name, "UTC" by default).
struct NotifySilence {
  std::string name;
  std::string url_regex;  // RE2, searched in the URL
  std::optional<std::chrono::sys_seconds> starts_at;
  std::optional<std::chrono::sys_seconds> ends_at;
  std::vector<int> weekdays;     // 0 = Sunday .. 6; empty with a weekly window: every day
  int window_start_minute = -1;  // -1: no weekly window
  int window_end_minute = -1;    // may be below start: the window spans midnight
  std::string time_zone = "UTC";
};

// Which state changes a route takes: from -> to, each a state name or "*" (any).
struct TransitionPattern {
  std::string from = "*";  // "unknown", "up", "down" or "*"
  std::string to = "*";
  bool operator==(const TransitionPattern&) const = default;
};

// A route sends the events it matches to its channels. Every condition given must hold;
// an empty list or an absent regex matches everything.
struct NotifyRoute {
  std::optional<std::string> url_regex;        // RE2, searched in the URL (^...$ for all of it)
  std::vector<std::string> topics;             // events topics
  std::vector<std::string> check_types;        // "http", "tcp", "tls", "dns", "icmp"
  std::vector<TransitionPattern> transitions;  // empty: the defaults below
  std::vector<std::string> channels;           // names of NotifyChannel; at least one
};

// A route without `transitions` takes these: every change to down, and down -> up.
std::vector<TransitionPattern> default_transitions();

enum class RouteMode { kFirst, kAll };  // the first matching route only, or every one

struct NotifyConfig {
  KafkaSettings kafka;
  std::string notify_group = "hc-notify";
  std::vector<std::string> events_topics;
  // Where a new group starts: "latest" (default: no alerts for the topic's history) or
  // "earliest".
  std::string auto_offset_reset = "latest";
  // Deliveries that exhausted their retries, with the channel and the last error in headers.
  std::string dead_letter_topic = "notify.dlq";
  std::chrono::milliseconds session_timeout{10000};
  RouteMode route_mode = RouteMode::kFirst;
  std::vector<NotifyChannel> channels;
  std::vector<NotifyRoute> routes;
  std::vector<NotifySilence> silences;
  // Silences added at runtime (POST /api/v1/silences of `hc serve`): a compacted topic, key =
  // the silence's id, value = silence_json.h, a tombstone ends it. `hc notify` follows it and
  // applies them as `silences`; `hc topics create` creates it.
  std::string silences_topic = "notify.silences";
  // Base URL of `hc serve` for the {page} link of templates; empty = no link.
  std::string public_url;
};

}  // namespace hc
