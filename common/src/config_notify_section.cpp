// healthcheck-notify-config: Kafka settings, the events topics, channels and routes.
#include <cctz/time_zone.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "config_names.h"
#include "config_sections.h"
#include "hc/common/message.h"
#include "hc/common/template_fields.h"
#include "url_validation.h"

namespace hc {

std::string_view notify_channel_type_name(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kSlack:
      return "slack";
    case ChannelType::kTeams:
      return "teams";
    case ChannelType::kPagerduty:
      return "pagerduty";
    case ChannelType::kEmail:
      return "email";
  }
  return "webhook";
}

std::vector<TransitionPattern> default_transitions() {
  return {TransitionPattern{"*", "down"}, TransitionPattern{"down", "up"}};
}

namespace config_detail {
namespace {

constexpr auto kNotifyKeys = with_kafka_keys(std::array<std::string_view, 11>{
    "notify_group", "events_topics", "auto_offset_reset", "dead_letter_topic", "session_timeout_ms",
    "route_mode", "channels", "routes", "silences", "silences_topic", "public_url"});
constexpr std::array<std::string_view, 21> kChannelKeys = {"name",
                                                           "type",
                                                           "url",
                                                           "hmac_secret",
                                                           "routing_key",
                                                           "headers",
                                                           "timeout_ms",
                                                           "max_attempts",
                                                           "max_retry_s",
                                                           "initial_backoff_ms",
                                                           "max_backoff_ms",
                                                           "for_s",
                                                           "repeat_every_s",
                                                           "group_window_s",
                                                           "rate_limit_per_minute",
                                                           "template",
                                                           "mail_from",
                                                           "mail_to",
                                                           "smtp_username",
                                                           "smtp_password",
                                                           "smtp_allow_plaintext"};
constexpr std::array<std::string_view, 6> kSilenceKeys = {"name",    "url_regex", "starts_at",
                                                          "ends_at", "weekly",    "time_zone"};
constexpr std::array<std::string_view, 3> kWeeklyKeys = {"days", "from", "to"};
constexpr std::array<std::string_view, 7> kWeekdays = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr std::array<std::string_view, 2> kRouteKeys = {"match", "channels"};
constexpr std::array<std::string_view, 4> kMatchKeys = {"url_regex", "topic", "check_type",
                                                        "transitions"};
// Indexed by ChannelType.
constexpr std::array<std::string_view, 5> kChannelTypes = {"webhook", "slack", "teams", "pagerduty",
                                                           "email"};
constexpr std::array<std::string_view, 2> kRouteModes = {"first", "all"};
constexpr std::array<std::string_view, 2> kOffsetResets = {"earliest", "latest"};
constexpr std::array<std::string_view, 5> kCheckTypes = {"http", "tcp", "tls", "dns", "icmp"};
constexpr std::array<std::string_view, 4> kStates = {"unknown", "up", "down", "*"};
constexpr std::string_view kPagerdutyEndpoint = "https://events.pagerduty.com/v2/enqueue";

bool is_channel_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// A scalar or a list of scalars, each one of `choices` (or any string when choices is empty).
std::vector<std::string> read_string_list(YamlReader& reader, const Located& value,
                                          std::span<const std::string_view> choices,
                                          std::string_view what) {
  std::vector<std::string> result;
  std::vector<Located> items;
  if (value.node.is_sequence()) {
    auto list = reader.list(value, what);
    if (!list) return result;
    items = std::move(*list);
  } else {
    items.push_back(value);
  }
  for (const Located& item : items) {
    auto text = choices.empty() ? reader.string(item) : reader.choice(item, choices);
    if (text) result.push_back(*text);
  }
  return result;
}

// "up->down", "*->down", "down -> up".
std::optional<TransitionPattern> read_transition(YamlReader& reader, const Located& value) {
  auto text = reader.string(value);
  if (!text) return std::nullopt;
  std::string compact;
  for (char c : *text) {
    if (c != ' ') compact.push_back(c);
  }
  const std::size_t arrow = compact.find("->");
  auto is_state = [](std::string_view name) {
    return std::find(kStates.begin(), kStates.end(), name) != kStates.end();
  };
  if (arrow != std::string::npos) {
    TransitionPattern pattern{compact.substr(0, arrow), compact.substr(arrow + 2)};
    if (is_state(pattern.from) && is_state(pattern.to)) return pattern;
  }
  reader.report(value.mark, value.path,
                "expected a transition FROM->TO, each of unknown, up, down or * (e.g. "
                "\"up->down\", \"*->down\"), got " +
                    quote_for_message(*text));
  return std::nullopt;
}

void read_url(YamlReader& reader, const Located& value, std::string& url) {
  auto text = reader.string(value);
  if (!text) return;
  if (auto problem = http_url_problem(*text)) {
    reader.report(value.mark, value.path, "expected an http(s) URL: " + *problem);
    return;
  }
  url = *text;
}

// The first {name} of `text` that is not a template field, or nullopt.
std::optional<std::string> unknown_template_field(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "{{" || text.substr(i, 2) == "}}") {
      ++i;
      continue;
    }
    if (text[i] != '{') continue;
    const std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) return std::string(text.substr(i));
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (std::find(kTemplateFields.begin(), kTemplateFields.end(), name) == kTemplateFields.end()) {
      return std::string(name);
    }
    i = close;
  }
  return std::nullopt;
}

void read_smtp_url(YamlReader& reader, const Located& value, std::string& url) {
  auto text = reader.string(value);
  if (!text) return;
  const bool smtp = text->starts_with("smtp://") || text->starts_with("smtps://");
  const std::size_t host = text->find("://") + 3;
  if (!smtp || host >= text->size() || (*text)[host] == '/' || (*text)[host] == ':') {
    reader.report(value.mark, value.path,
                  "expected an SMTP server URL, smtp://HOST:PORT (STARTTLS) or "
                  "smtps://HOST:PORT (TLS)");
    return;
  }
  url = *text;
}

// Reads the keys of a channel that limit its messages (for_s, repeat_every_s, group_window_s,
// rate_limit_per_minute) and the template.
void read_message_options(YamlReader& reader, const MapFields& fields, NotifyChannel& channel) {
  if (const Located* value = fields.find("for_s")) {
    if (auto s = reader.integer(*value, 0, 86400, "seconds"))
      channel.for_s = std::chrono::seconds(*s);
  }
  if (const Located* value = fields.find("repeat_every_s")) {
    if (auto s = reader.integer(*value, 0, 604800, "seconds (0 = no reminders)")) {
      channel.repeat_every = std::chrono::seconds(*s);
    }
  }
  if (const Located* value = fields.find("group_window_s")) {
    if (auto s = reader.integer(*value, 0, 3600, "seconds")) {
      channel.group_window = std::chrono::seconds(*s);
    }
    if (channel.type == ChannelType::kPagerduty && channel.group_window.count() > 0) {
      reader.report(value->mark, value->path,
                    "group_window_s does not apply to pagerduty: PagerDuty folds events of one "
                    "site by dedup_key itself");
    }
  }
  if (const Located* value = fields.find("rate_limit_per_minute")) {
    if (auto n = reader.integer(*value, 0, 100000, "requests (0 = no limit)")) {
      channel.rate_limit_per_minute = static_cast<int>(*n);
    }
  }
  if (const Located* value = fields.find("template")) {
    if (auto text = reader.string(*value)) {
      if (auto unknown = unknown_template_field(*text)) {
        reader.report(value->mark, value->path,
                      "unknown template field " + quote_for_message("{" + *unknown + "}") +
                          " (known: {url} {from} {to} {at} {since} {duration} {cause} "
                          "{failed_conditions} {event_id} {page}; {{ and }} for braces)");
      } else {
        channel.template_text = *text;
      }
    }
  }
}

void read_mail_options(YamlReader& reader, const MapFields& fields, NotifyChannel& channel) {
  constexpr std::array<std::string_view, 5> kMailKeys = {"mail_from", "mail_to", "smtp_username",
                                                         "smtp_password", "smtp_allow_plaintext"};
  if (channel.type != ChannelType::kEmail) {
    for (std::string_view key : kMailKeys) {
      if (const Located* value = fields.find(key)) {
        reader.report(value->mark, value->path,
                      std::string(key) + " applies to email channels only");
      }
    }
    return;
  }
  if (const Located* from = reader.require(fields, "mail_from", "the sender's address")) {
    if (auto text = reader.string(*from)) channel.mail_from = *text;
  }
  if (const Located* to = reader.require(fields, "mail_to", "the recipients")) {
    channel.mail_to = read_string_list(reader, *to, {}, "an address or a list of addresses");
    if (channel.mail_to.empty()) reader.report(to->mark, to->path, "expected an address");
  }
  auto address_problem = [](const std::string& address) {
    return address.find('@') == std::string::npos ||
           address.find_first_of("<>\r\n, ") != std::string::npos;
  };
  if (address_problem(channel.mail_from) && !channel.mail_from.empty()) {
    reader.report(fields.find("mail_from")->mark, fields.find("mail_from")->path,
                  "expected a plain address (name@host)");
  }
  for (const std::string& address : channel.mail_to) {
    if (address_problem(address)) {
      reader.report(fields.find("mail_to")->mark, fields.find("mail_to")->path,
                    "expected plain addresses (name@host), got " + quote_for_message(address));
    }
  }
  if (const Located* value = fields.find("smtp_username")) {
    if (auto text = reader.string(*value)) channel.smtp_username = *text;
  }
  if (const Located* value = fields.find("smtp_password")) {
    if (auto text = reader.string(*value)) channel.smtp_password = *text;
  }
  if (const Located* value = fields.find("smtp_allow_plaintext")) {
    if (auto flag = reader.boolean(*value)) channel.smtp_allow_plaintext = *flag;
  }
}

std::optional<NotifyChannel> read_channel(YamlReader& reader, const Located& item) {
  auto fields = reader.map(item, kChannelKeys, "a channel (a map with name, type, url)");
  if (!fields) return std::nullopt;
  const std::size_t errors_before = reader.error_count();
  NotifyChannel channel;
  if (const Located* name = reader.require(*fields, "name", "the channel's name")) {
    auto text = reader.string(*name);
    if (text && !is_channel_name(*text)) {
      reader.report(name->mark, name->path,
                    "expected a channel name of letters, digits, '_', '.' and '-' (1 to 64), "
                    "got " +
                        quote_for_message(*text));
    } else if (text) {
      channel.name = *text;
    }
  }
  if (const Located* type =
          reader.require(*fields, "type", "webhook, slack, teams, pagerduty or email")) {
    if (auto name = reader.choice(*type, kChannelTypes)) {
      const auto index =
          std::find(kChannelTypes.begin(), kChannelTypes.end(), *name) - kChannelTypes.begin();
      channel.type = static_cast<ChannelType>(index);
    }
  }
  if (const Located* url = fields->find("url")) {
    if (channel.type == ChannelType::kEmail) {
      read_smtp_url(reader, *url, channel.url);
    } else {
      read_url(reader, *url, channel.url);
    }
  } else if (channel.type == ChannelType::kPagerduty) {
    channel.url = std::string(kPagerdutyEndpoint);
  } else {
    reader.require(*fields, "url", "where the channel's requests go");
  }
  if (const Located* secret = fields->find("hmac_secret")) {
    if (channel.type != ChannelType::kWebhook) {
      reader.report(secret->mark, secret->path, "hmac_secret applies to webhook channels only");
    } else if (auto text = reader.string(*secret)) {
      channel.hmac_secret = *text;
    }
  }
  if (const Located* key = fields->find("routing_key")) {
    if (channel.type != ChannelType::kPagerduty) {
      reader.report(key->mark, key->path, "routing_key applies to pagerduty channels only");
    } else if (auto text = reader.string(*key)) {
      channel.routing_key = *text;
    }
  } else if (channel.type == ChannelType::kPagerduty) {
    reader.require(*fields, "routing_key", "the PagerDuty integration key");
  }
  if (const Located* headers = fields->find("headers")) {
    read_headers(reader, *headers, channel.headers);
  }
  if (const Located* timeout = fields->find("timeout_ms")) {
    if (auto ms = reader.integer(*timeout, 100, 300000, "milliseconds")) {
      channel.timeout = std::chrono::milliseconds(*ms);
    }
  }
  if (const Located* attempts = fields->find("max_attempts")) {
    if (auto count = reader.integer(*attempts, 1, 100)) {
      channel.retry.max_attempts = static_cast<int>(*count);
    }
  }
  if (const Located* retry = fields->find("max_retry_s")) {
    if (auto s = reader.integer(*retry, 1, 86400, "seconds")) {
      channel.retry.max_retry = std::chrono::seconds(*s);
    }
  }
  if (const Located* backoff = fields->find("initial_backoff_ms")) {
    if (auto ms = reader.integer(*backoff, 1, 600000, "milliseconds")) {
      channel.retry.initial_backoff = std::chrono::milliseconds(*ms);
    }
  }
  if (const Located* backoff = fields->find("max_backoff_ms")) {
    if (auto ms = reader.integer(*backoff, 1, 3600000, "milliseconds")) {
      channel.retry.max_backoff = std::chrono::milliseconds(*ms);
    }
  }
  read_message_options(reader, *fields, channel);
  read_mail_options(reader, *fields, channel);
  if (channel.retry.max_backoff < channel.retry.initial_backoff) {
    reader.report(item.mark, item.path, "max_backoff_ms must not be below initial_backoff_ms");
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return channel;
}

std::optional<NotifyRoute> read_route(YamlReader& reader, const Located& item,
                                      const std::set<std::string>& channel_names) {
  auto fields = reader.map(item, kRouteKeys, "a route (a map with match and channels)");
  if (!fields) return std::nullopt;
  const std::size_t errors_before = reader.error_count();
  NotifyRoute route;
  if (const Located* match = fields->find("match")) {
    if (auto conditions =
            reader.map(*match, kMatchKeys, "a map of url_regex, topic, check_type, transitions")) {
      if (const Located* regex = conditions->find("url_regex")) {
        route.url_regex = read_pattern(reader, *regex);
      }
      if (const Located* topic = conditions->find("topic")) {
        route.topics = read_string_list(reader, *topic, {}, "a topic or a list of topics");
      }
      if (const Located* type = conditions->find("check_type")) {
        route.check_types =
            read_string_list(reader, *type, kCheckTypes, "a check type or a list of check types");
      }
      if (const Located* transitions = conditions->find("transitions")) {
        std::vector<Located> items;
        if (transitions->node.is_sequence()) {
          if (auto list = reader.list(*transitions, "a list of transitions")) items = *list;
        } else {
          items.push_back(*transitions);
        }
        for (const Located& transition : items) {
          if (auto pattern = read_transition(reader, transition)) {
            route.transitions.push_back(*pattern);
          }
        }
      }
    }
  }
  if (route.transitions.empty()) route.transitions = default_transitions();
  if (const Located* channels =
          reader.require(*fields, "channels", "the names of the channels to notify")) {
    if (auto items = reader.list(*channels, "a list of channel names")) {
      if (items->empty()) {
        reader.report(channels->mark, channels->path, "expected at least one channel name");
      }
      for (const Located& channel : *items) {
        auto name = reader.string(channel);
        if (!name) continue;
        if (channel_names.count(*name) == 0) {
          reader.report(channel.mark, channel.path,
                        "no channel named " + quote_for_message(*name) + " in channels");
        } else {
          route.channels.push_back(*name);
        }
      }
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return route;
}

// "HH:MM" -> minutes from midnight.
std::optional<int> read_clock_time(YamlReader& reader, const Located& value) {
  auto text = reader.string(value);
  if (!text) return std::nullopt;
  int hours = 0;
  int minutes = 0;
  char tail = 0;
  if (text->size() == 5 && std::sscanf(text->c_str(), "%2d:%2d%c", &hours, &minutes, &tail) == 2 &&
      hours >= 0 && hours < 24 && minutes >= 0 && minutes < 60) {
    return hours * 60 + minutes;
  }
  reader.report(value.mark, value.path,
                "expected a time of day HH:MM (00:00 .. 23:59), got " + quote_for_message(*text));
  return std::nullopt;
}

std::optional<std::chrono::sys_seconds> read_instant(YamlReader& reader, const Located& value) {
  auto text = reader.string(value);
  if (!text) return std::nullopt;
  if (auto time = parse_timestamp(*text)) {
    return std::chrono::time_point_cast<std::chrono::seconds>(*time);
  }
  reader.report(
      value.mark, value.path,
      "expected an RFC 3339 time such as 2026-12-24T22:00:00Z, got " + quote_for_message(*text));
  return std::nullopt;
}

std::optional<NotifySilence> read_silence(YamlReader& reader, const Located& item) {
  auto fields = reader.map(item, kSilenceKeys,
                           "a silence (a map with name, url_regex and starts_at/ends_at or "
                           "weekly)");
  if (!fields) return std::nullopt;
  const std::size_t errors_before = reader.error_count();
  NotifySilence silence;
  if (const Located* name = reader.require(*fields, "name", "the silence's name")) {
    silence.name = reader.string(*name).value_or("");
  }
  if (const Located* regex = reader.require(*fields, "url_regex", "the URLs it silences")) {
    silence.url_regex = read_pattern(reader, *regex).value_or("");
  }
  if (const Located* starts = fields->find("starts_at"))
    silence.starts_at = read_instant(reader, *starts);
  if (const Located* ends = fields->find("ends_at")) silence.ends_at = read_instant(reader, *ends);
  if (silence.starts_at && silence.ends_at && *silence.ends_at <= *silence.starts_at) {
    reader.report(item.mark, item.path + ".ends_at", "ends_at must be after starts_at");
  }
  if (const Located* weekly = fields->find("weekly")) {
    if (auto window = reader.map(*weekly, kWeeklyKeys, "a map of days, from and to")) {
      if (const Located* days = window->find("days")) {
        for (const std::string& day : read_string_list(reader, *days, kWeekdays, "weekdays")) {
          silence.weekdays.push_back(static_cast<int>(
              std::find(kWeekdays.begin(), kWeekdays.end(), day) - kWeekdays.begin()));
        }
      }
      if (const Located* from = reader.require(*window, "from", "the start, HH:MM")) {
        silence.window_start_minute = read_clock_time(reader, *from).value_or(-1);
      }
      if (const Located* to = reader.require(*window, "to", "the end, HH:MM")) {
        silence.window_end_minute = read_clock_time(reader, *to).value_or(-1);
      }
      if (silence.window_start_minute >= 0 &&
          silence.window_start_minute == silence.window_end_minute) {
        reader.report(weekly->mark, weekly->path, "from and to must differ");
      }
    }
  }
  if (const Located* zone = fields->find("time_zone")) {
    if (auto name = reader.string(*zone)) {
      cctz::time_zone loaded;
      if (!cctz::load_time_zone(*name, &loaded)) {
        reader.report(zone->mark, zone->path,
                      "unknown time zone " + quote_for_message(*name) +
                          " (an IANA name such as Europe/Berlin; needs tzdata)");
      } else {
        silence.time_zone = *name;
      }
    }
  }
  if (!silence.starts_at && !silence.ends_at && !fields->find("weekly") &&
      reader.error_count() == errors_before) {
    reader.report(item.mark, item.path,
                  "a silence needs starts_at/ends_at, a weekly window, or both");
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return silence;
}

}  // namespace

NotifyConfig read_notify_section(YamlReader& reader, const Located& section) {
  NotifyConfig notify;
  auto fields = reader.map(section, kNotifyKeys, "a map of notify settings");
  if (!fields) return notify;
  notify.kafka = read_kafka_settings(reader, *fields);
  for (const auto& [key, value] : fields->entries()) {
    if (key == "notify_group") {
      auto group = reader.string(value);
      if (group && group->empty()) {
        reader.report(value.mark, value.path, "expected a non-empty consumer group id");
      } else if (group) {
        notify.notify_group = *group;
      }
    } else if (key == "auto_offset_reset") {
      if (auto reset = reader.choice(value, kOffsetResets)) notify.auto_offset_reset = *reset;
    } else if (key == "dead_letter_topic") {
      notify.dead_letter_topic = read_topic_name(reader, value).value_or(notify.dead_letter_topic);
    } else if (key == "silences_topic") {
      notify.silences_topic = read_topic_name(reader, value).value_or(notify.silences_topic);
    } else if (key == "session_timeout_ms") {
      if (auto ms = reader.integer(value, 1000, 3600000, "milliseconds")) {
        notify.session_timeout = std::chrono::milliseconds(*ms);
      }
    } else if (key == "public_url") {
      auto url = reader.string(value);
      if (url && http_url_problem(*url)) {
        reader.report(value.mark, value.path, "expected the http(s) URL where hc serve is reached");
      } else if (url) {
        notify.public_url = *url;
      }
    } else if (key == "silences") {
      if (auto items = reader.list(value, "a list of silences")) {
        for (const Located& item : *items) {
          if (auto silence = read_silence(reader, item)) notify.silences.push_back(*silence);
        }
      }
    } else if (key == "route_mode") {
      if (auto mode = reader.choice(value, kRouteModes)) {
        notify.route_mode = *mode == "all" ? RouteMode::kAll : RouteMode::kFirst;
      }
    }
  }
  if (const Located* topics =
          reader.require(*fields, "events_topics", "the state-change events topics to read")) {
    if (auto items = reader.list(*topics, "a list of events topics")) {
      if (items->empty()) reader.report(topics->mark, topics->path, "expected at least one topic");
      for (const Located& item : *items) {
        if (auto name = read_topic_name(reader, item)) {
          if (*name == notify.dead_letter_topic) {
            reader.report(item.mark, item.path,
                          "an events topic must differ from dead_letter_topic (it would loop)");
          }
          if (*name == notify.silences_topic) {
            reader.report(item.mark, item.path, "an events topic must differ from silences_topic");
          }
          notify.events_topics.push_back(*name);
        }
      }
    }
  }
  std::set<std::string> channel_names;
  if (const Located* channels = reader.require(*fields, "channels", "the channels to notify")) {
    if (auto items = reader.list(*channels, "a list of channels")) {
      if (items->empty()) {
        reader.report(channels->mark, channels->path, "expected at least one channel");
      }
      for (const Located& item : *items) {
        auto channel = read_channel(reader, item);
        if (!channel) continue;
        if (!channel_names.insert(channel->name).second) {
          reader.report(item.mark, item.path + ".name",
                        "duplicate channel name " + quote_for_message(channel->name));
          continue;
        }
        notify.channels.push_back(std::move(*channel));
      }
    }
  }
  if (const Located* routes = reader.require(*fields, "routes", "which events go where")) {
    if (auto items = reader.list(*routes, "a list of routes (match, channels)")) {
      if (items->empty()) reader.report(routes->mark, routes->path, "expected at least one route");
      for (const Located& item : *items) {
        if (auto route = read_route(reader, item, channel_names)) {
          notify.routes.push_back(std::move(*route));
        }
      }
    }
  }
  return notify;
}

}  // namespace config_detail
}  // namespace hc
